using System.Diagnostics;

namespace CompressBuild.Tool.Tests;

/// <summary>Runs the built tool as a separate process, for behaviour that depends on process state.</summary>
internal static class ToolProcess
{
    public static CliRun Run(string[] args, Dictionary<string, string>? environment = null) => Run(AppContext.BaseDirectory, args, environment);

    public static CliRun Run(string toolFolder, string[] args, Dictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(toolFolder, "dotnet-compress.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? [])
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new CliRun(process.ExitCode, stdout.Result, stderr.Result);
    }
}
