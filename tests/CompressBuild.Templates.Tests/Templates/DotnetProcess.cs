using CompressBuild.Testing;

namespace CompressBuild.Templates.Tests.Templates;

/// <summary>Runs the dotnet CLI as a child process (what a user types), capturing its output.</summary>
internal static class DotnetProcess
{
    private static readonly Dictionary<string, string?> Quiet = new()
    {
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
    };

    public static ChildRun Run(string workingDirectory, params string[] arguments) =>
        ChildProcess.Run(ChildProcess.Dotnet, arguments, new ChildOptions { WorkingDirectory = workingDirectory, Environment = Quiet });

    /// <summary>Runs and fails the test with the whole output when the command fails.</summary>
    public static string Succeed(string workingDirectory, params string[] arguments) => Run(workingDirectory, arguments).Succeeded().Output;
}
