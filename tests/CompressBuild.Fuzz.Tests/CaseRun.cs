namespace CompressBuild.Fuzz.Tests;

/// <summary>What one CLI run gave back: exit code, stdout, stderr, and how long it took.</summary>
internal sealed record CaseRun(int ExitCode, string Out, string Error, TimeSpan Elapsed);
