namespace CompressBuild.EndToEnd.Tests;

/// <summary>What one dotnet process did: its exit code and everything it printed (stdout and stderr interleaved).</summary>
public sealed record DotnetRun(string Command, int ExitCode, string Output)
{
    public override string ToString() => $"dotnet {Command} exited {ExitCode}:\n{Output}";
}
