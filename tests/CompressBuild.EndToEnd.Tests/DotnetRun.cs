using CompressBuild.Testing;

namespace CompressBuild.EndToEnd.Tests;

/// <summary>What one dotnet process did: its exit code and everything it printed (stdout and stderr interleaved).</summary>
public sealed record DotnetRun(string Command, int ExitCode, string Output)
{
    /// <summary>Each printed line with the time it arrived, from the process start (to check progress keeps coming).</summary>
    public IReadOnlyList<TimedLine> Lines { get; init; } = [];

    public override string ToString() => $"dotnet {Command} exited {ExitCode}:\n{Output}";
}
