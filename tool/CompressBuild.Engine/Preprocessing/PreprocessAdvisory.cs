namespace CompressBuild.Engine.Preprocessing;

/// <summary>A CB4xxx note from pre-processing: something it skipped, and why.</summary>
public sealed record PreprocessAdvisory(string Code, string Message);
