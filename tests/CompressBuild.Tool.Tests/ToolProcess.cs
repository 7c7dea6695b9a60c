using CompressBuild.Testing;

namespace CompressBuild.Tool.Tests;

/// <summary>Runs the built tool as a separate process, for behaviour that depends on process state.</summary>
internal static class ToolProcess
{
    public static CliRun Run(string[] args, Dictionary<string, string>? environment = null) => Run(AppContext.BaseDirectory, args, environment);

    public static CliRun Run(string toolFolder, string[] args, Dictionary<string, string>? environment = null)
    {
        var options = new ChildOptions { Environment = (environment ?? []).ToDictionary(e => e.Key, e => (string?)e.Value) };
        var run = ChildProcess.Run(ChildProcess.Dotnet, [Path.Combine(toolFolder, "dotnet-compress.dll"), .. args], options);
        return new CliRun(run.ExitCode, run.StandardOutput, run.StandardError);
    }
}
