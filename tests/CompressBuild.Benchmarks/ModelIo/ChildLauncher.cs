using System.Diagnostics;
using System.Text.Json;
using CompressBuild.Benchmarks.Child;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Reporting;

namespace CompressBuild.Benchmarks.ModelIo;

/// <summary>Runs one scenario in a fresh <c>dotnet &lt;this dll&gt; child ...</c> process and reads back its measurement.</summary>
internal sealed class ChildLauncher(string host, string assemblyPath)
{
    public static ChildLauncher ForThisProcess()
    {
        // Under `dotnet run` this process is the apphost, not dotnet; the dll always runs under the dotnet host.
        var processPath = Environment.ProcessPath;
        var host = processPath is not null && Path.GetFileNameWithoutExtension(processPath) == "dotnet"
            ? processPath
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } fromSdk ? fromSdk : "dotnet";
        return new ChildLauncher(host, typeof(ChildLauncher).Assembly.Location);
    }

    public ChildMeasurement Run(Scenario scenario, string inputPath, string outputFolder)
    {
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { assemblyPath, BenchmarkCli.ChildCommandName, scenario.Id, inputPath, outputFolder })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {host}.");
        // Read stderr concurrently: a child blocked on a full stderr pipe would never finish writing stdout.
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Child '{scenario.Id}' exited with code {process.ExitCode}:{Environment.NewLine}{stderr.Result}{stdout}");
        }

        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return (line is null ? null : JsonSerializer.Deserialize<ChildMeasurement>(line, JsonFormat.Compact))
            ?? throw new InvalidOperationException($"Child '{scenario.Id}' printed no measurement:{Environment.NewLine}{stdout}");
    }
}
