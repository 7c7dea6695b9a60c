using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using CompressBuild.Benchmarks.Child;
using CompressBuild.Benchmarks.Measurement;
using CompressBuild.Benchmarks.Reporting;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Verification;
using CompressBuild.Engine.Reporting;

namespace CompressBuild.Benchmarks.ModelIo;

/// <summary>
/// <c>model-io</c>: generates a large model, times load and save scenarios in fresh child processes, checks their
/// output bytes, and reports times, throughput and peak memory against the pure-I/O baselines.
/// </summary>
internal static class ModelIoBenchmark
{
    public const double TargetMultiple = 2.5;

    private const int Seed = 20251122;
    private const long MiB = 1024 * 1024;

    public static int Run(ModelIoOptions options, TextWriter stdout, TextWriter log)
    {
        if (!ProcessMemory.IsAvailable)
        {
            log.WriteLine("model-io reads peak memory from /proc/self/status and needs Linux.");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        log.WriteLine($"model-io: generating a {options.SizeMiB} MiB model ...");
        using var workspace = BenchWorkspace.Create(options.SizeMiB * MiB, options.Width, Seed);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"model-io: {workspace.Layers} layers of {workspace.Width}x{workspace.Width}, {workspace.InlineBytes / (double)MiB:0.0} MiB inline, in {workspace.Root} " +
            $"({clock.Elapsed.TotalSeconds:0.0} s)"));

        var launcher = ChildLauncher.ForThisProcess();
        var runs = Scenarios.All.ToDictionary(s => s.Id, _ => new List<ChildMeasurement>());

        // Round-robin over scenarios rather than all runs of one in a row, so a slow spell of the machine spreads
        // over every scenario instead of skewing one; and in a new (seeded) order each round, because a run's
        // speed depends on what ran just before it (on a VM, memory freed a moment ago is cheap to touch again,
        // memory idle for a few seconds is not), and a fixed order would favour the same scenarios every time.
        var order = Scenarios.All.ToArray();
        var shuffle = new Random(Seed);
        for (var run = 1; run <= options.Repeat; run++)
        {
            if (run > 1)
            {
                shuffle.Shuffle(order);
            }

            foreach (var scenario in order)
            {
                var folder = workspace.NewOutputFolder(scenario.Id, run);
                var measurement = launcher.Run(scenario, workspace.InputFor(scenario.Input), folder);
                if (run == 1 && OutputVerifier.Check(scenario, workspace, folder) is { } problem)
                {
                    log.WriteLine($"model-io: {scenario.Id} wrote wrong output: {problem}");
                    return 1;
                }

                BenchWorkspace.DeleteFolder(folder);
                runs[scenario.Id].Add(measurement);
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  run {run}/{options.Repeat} {scenario.Id,-26} load {measurement.LoadMs / 1000,6:0.000} s  save {measurement.SaveMs / 1000,6:0.000} s  peak " +
                    $"{measurement.PeakBytes / (double)MiB,6:0} MiB"));
            }
        }

        var report = BuildReport(options, workspace, runs);
        var markdownPath = WriteMarkdown(report);
        if (options.Json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(report, JsonFormat.Indented));
        }
        else
        {
            stdout.WriteLine();
            TextTableWriter.Write(stdout, ReportTable.Headers, ReportTable.Rows(report));
            stdout.WriteLine();
            stdout.WriteLine(Invariant($"Target: peak below {TargetMultiple:0.0}x the model size for every engine scenario: {(report.MeetsTarget ? "met" : "NOT met")}."));
        }

        log.WriteLine(Invariant($"model-io: wrote {markdownPath}; {clock.Elapsed.TotalSeconds:0} s in all; temporary files removed."));
        return 0;
    }

    private static ModelIoReport BuildReport(ModelIoOptions options, BenchWorkspace workspace, Dictionary<string, List<ChildMeasurement>> runs)
    {
        var summaries = Scenarios.All.Select(s => ScenarioSummary.From(s, workspace.ModelBytesFor(s.Input), runs[s.Id])).ToList();
        var byId = summaries.ToDictionary(s => s.Id);
        var withBaselines = summaries.Select(s => s.BaselineId is { } id ? s with { BaselineMs = byId[id].TotalMs } : s).ToList();
        var model = new ModelDescription(workspace.Layers, workspace.Width, workspace.InlineBytes, workspace.ExternalModelBytes, workspace.ExternalDataBytes);
        return new ModelIoReport(model, options.Repeat, TargetMultiple, RuntimeInformation.FrameworkDescription, Environment.ProcessorCount, withBaselines);
    }

    private static string WriteMarkdown(ModelIoReport report)
    {
        var folder = Path.Combine(RepositoryRoot(), "artifacts", "benchmarks");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "model-io.md");
        File.WriteAllText(path, MarkdownReport.Render(report));
        return path;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CompressBuild.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
