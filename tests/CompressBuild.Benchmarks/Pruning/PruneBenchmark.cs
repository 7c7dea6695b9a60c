using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CompressBuild.Benchmarks.Reporting;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.Reporting;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Benchmarks.Pruning;

/// <summary>
/// Latency of channel-pruned CNNs against the original on ONNX Runtime. Both models are bound once and run
/// alternately, one inference each, so machine noise (other processes, frequency changes) hits both alike;
/// the speedup is the ratio of the medians.
/// </summary>
internal static class PruneBenchmark
{
    public static int Run(int iterations, int threads, int width, bool json, TextWriter output)
    {
        var models = new List<(string Name, OnnxModel Model)>
        {
            ("cnn_residual.onnx (16-32 ch, 8x8)", Fixture("cnn_residual.onnx")),
            ("cnn_concat_dw.onnx (16-32 ch, 8x8)", Fixture("cnn_concat_dw.onnx")),
            ($"wide resnet ({width}-{2 * width} ch, 32x32)", WideCnn.Create(width, blocks: 3)),
        };
        var settings = SessionSettings.Default with { IntraOpThreads = threads };
        var rows = new List<PruneBenchmarkRow>();
        foreach (var (name, model) in models)
        {
            foreach (var (sparsity, roundTo) in new[] { (0.25, 1), (0.25, 8), (0.4, 1), (0.4, 8), (0.5, 1) })
            {
                var pruned = ModelPruner.Run(model, new PruneSettings { Method = PruneMethod.Channel, Sparsity = sparsity, RoundTo = roundTo });
                var (original, candidate) = Interleaved(model, pruned.Model, settings, iterations);
                rows.Add(new PruneBenchmarkRow(name, sparsity, roundTo, pruned.ParametersBefore, pruned.ParametersAfter, original.MedianMs, candidate.MedianMs,
                    original.MedianMs / candidate.MedianMs, original.P90Ms, candidate.P90Ms));
            }
        }

        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(rows, JsonFormat.Indented));
            return 0;
        }

        output.WriteLine($"Channel pruning latency, ONNX Runtime {InferenceSession.RuntimeVersion}, {(threads == 0 ? "default" : threads.ToString(CultureInfo.InvariantCulture))} intra-op " +
            $"thread(s), {iterations} interleaved runs each, batch 1, l2 importance");
        TextTableWriter.Write(output, ["model", "channels removed", "round-to", "params before", "params after", "original median ms", "pruned median ms", "speedup"],
            rows.Select(r => (IReadOnlyList<string>)
            [
                r.Model,
                r.Sparsity.ToString("P0", CultureInfo.InvariantCulture),
                r.RoundTo.ToString(CultureInfo.InvariantCulture),
                r.ParametersBefore.ToString("N0", CultureInfo.InvariantCulture),
                r.ParametersAfter.ToString("N0", CultureInfo.InvariantCulture),
                r.OriginalMedianMs.ToString("0.000", CultureInfo.InvariantCulture),
                r.PrunedMedianMs.ToString("0.000", CultureInfo.InvariantCulture),
                r.Speedup.ToString("0.00", CultureInfo.InvariantCulture) + "x",
            ]).ToList());
        return 0;
    }

    private static OnnxModel Fixture(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "tests", "fixtures", "digits", name);
            if (File.Exists(path))
            {
                return OnnxModelReader.Load(path);
            }
        }

        throw new FileNotFoundException($"fixture {name} not found above {AppContext.BaseDirectory}");
    }

    private static (LatencyStatistics Original, LatencyStatistics Pruned) Interleaved(OnnxModel original, OnnxModel pruned, SessionSettings settings, int iterations)
    {
        using var a = ModelSessions.Open(original, settings);
        using var b = ModelSessions.Open(pruned, settings);
        var inputs = RandomInputs.Create(a.Inputs, new Dictionary<string, long>());
        using var runA = a.Bind(inputs, a.Run(inputs).Select(o => HostTensor.Zeros(o.Name, o.ElementType, o.Shape)).ToList());
        using var runB = b.Bind(inputs, b.Run(inputs).Select(o => HostTensor.Zeros(o.Name, o.ElementType, o.Shape)).ToList());
        for (var i = 0; i < Math.Max(10, iterations / 10); i++)
        {
            runA.Invoke();
            runB.Invoke();
        }

        var timesA = new double[iterations];
        var timesB = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            // Alternate which model goes first so neither always runs on a cache the other just warmed.
            if (i % 2 == 0)
            {
                timesA[i] = Time(runA);
                timesB[i] = Time(runB);
            }
            else
            {
                timesB[i] = Time(runB);
                timesA[i] = Time(runA);
            }
        }

        return (LatencyStatistics.FromSamples(timesA), LatencyStatistics.FromSamples(timesB));
    }

    private static double Time(BoundRun run)
    {
        var start = Stopwatch.GetTimestamp();
        run.Invoke();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
