namespace CompressBuild.Engine.Diagnostics;

public enum DiagnosticCategory
{
    Budget,
    InvalidInput,
    Environment,
    Advisory,
}
