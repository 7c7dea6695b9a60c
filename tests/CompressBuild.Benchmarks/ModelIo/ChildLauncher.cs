using System.Text.Json;
using CompressBuild.Benchmarks.Child;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Reporting;
using CompressBuild.Testing;

namespace CompressBuild.Benchmarks.ModelIo;

/// <summary>Runs one scenario in a fresh <c>dotnet &lt;this dll&gt; child ...</c> process and reads back its measurement.</summary>
internal sealed class ChildLauncher(string host, string assemblyPath)
{
    public static ChildLauncher ForThisProcess() => new(ChildProcess.Dotnet, typeof(ChildLauncher).Assembly.Location);

    public ChildMeasurement Run(Scenario scenario, string inputPath, string outputFolder)
    {
        var run = ChildProcess.Run(host, [assemblyPath, BenchmarkCli.ChildCommandName, scenario.Id, inputPath, outputFolder]);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"Child '{scenario.Id}' exited with code {run.ExitCode}:{Environment.NewLine}{run.StandardError}{run.StandardOutput}");
        }

        var stdout = run.StandardOutput;
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return (line is null ? null : JsonSerializer.Deserialize<ChildMeasurement>(line, JsonFormat.Compact))
            ?? throw new InvalidOperationException($"Child '{scenario.Id}' printed no measurement:{Environment.NewLine}{stdout}");
    }
}
