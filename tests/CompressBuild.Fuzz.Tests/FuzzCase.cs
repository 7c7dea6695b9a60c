namespace CompressBuild.Fuzz.Tests;

/// <summary>One generated run of the CLI: what it is (for the failure report), its arguments, and the output path it names, if any.</summary>
internal sealed record FuzzCase(string Family, string Description, string[] Args, string? Output = null);
