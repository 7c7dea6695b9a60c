using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Engine.Budgets;

/// <summary>A CB4xxx warning a verification raised: printed on stderr, kept in the reports, never a failure.</summary>
public sealed record Advisory(DiagnosticCode Code, string Message)
{
    /// <summary>The compress.yaml budget key the advisory is about (e.g. <c>min_agreement</c>), so it can point at that line; null when none.</summary>
    public string? Key { get; init; }
}
