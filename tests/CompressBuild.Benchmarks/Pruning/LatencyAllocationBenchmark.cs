using System.Diagnostics;
using System.Globalization;
using CompressBuild.Benchmarks.Reporting;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.Pruning.Structured.Latency;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;

namespace CompressBuild.Benchmarks.Pruning;

/// <summary>
/// <c>allocation: latency</c> against uniform and distortion on the PP-OCRv4 detector (320x320) and classifier, channel 25%, activation
/// importance, calibration and reconstruction, round_to auto: cosine on held-out rendered inputs, the latency table's build time, and the
/// whole models timed against each other on 1 thread in thread CPU time (interleaved rounds, medians), with the table's predicted saving
/// of the latency plan next to the measured one.
/// </summary>
internal static class LatencyAllocationBenchmark
{
    public static int Run(IReadOnlyList<string> models, TextWriter output)
    {
        using var temp = new TempFolder();
        var rows = new List<IReadOnlyList<string>>();
        foreach (var name in models)
        {
            var (file, kind, calibrationCount, testCount, size) = name switch
            {
                "ppocr-det" => (CompressBuild.Testing.RealModels.PaddleOcrDetector, "det", 16, 8, 320),
                "ppocr-cls" => (CompressBuild.Testing.RealModels.PaddleOcrClassifier, "cls", 32, 64, 0),
                _ => throw new ArgumentException($"unknown model {name} (ppocr-det, ppocr-cls)"),
            };
            var path = CompressBuild.Testing.RealModels.Path(file);
            if (!File.Exists(path))
            {
                output.WriteLine($"{name}: not fetched (tests/models/fetch.sh), skipped");
                continue;
            }

            var calibration = OcrInputs.Render(temp.Path, kind, calibrationCount, seed: 7, height: size, width: size);
            var test = OcrInputs.Render(temp.Path, kind, testCount, seed: 11, height: size, width: size);
            var original = OnnxModelReader.Load(path);
            var settings = new PruneSettings
            {
                Method = PruneMethod.Channel, Sparsity = 0.25, Importance = ChannelImportance.Activation, CalibrationData = calibration, RoundToAuto = true,
                LatencyCache = Path.Combine(temp.Path, "latency-tables"),
            };
            var plans = new List<(string Allocation, PruneResult Result, double Seconds)>();
            foreach (var allocation in new[] { SparsityAllocation.Uniform, SparsityAllocation.Distortion, SparsityAllocation.Latency })
            {
                var clock = Stopwatch.StartNew();
                var result = ModelPruner.Run(original, settings with { Allocation = allocation });
                plans.Add((allocation.ToString().ToLowerInvariant(), result, clock.Elapsed.TotalSeconds));
            }

            using var reference = ModelSessions.Open(original);
            var sample = DatasetLoader.Open(test, reference.Inputs).Sample(0);

            // The latency allocation again, asked for the speed-up the distortion plan measures, to compare the two at the same latency.
            var distortionTimes = LatencyRounds.Measure([original, plans[1].Result.Model], sample);
            var target = LatencyRounds.Median(distortionTimes[0]) / LatencyRounds.Median(distortionTimes[1]);
            var again = Stopwatch.StartNew();
            var matched = ModelPruner.Run(original, settings with { Allocation = SparsityAllocation.Latency, TargetSpeedup = Math.Max(1.01, target) });
            plans.Add((string.Create(CultureInfo.InvariantCulture, $"latency, target {target:0.00}x"), matched, again.Elapsed.TotalSeconds));
            var times = LatencyRounds.Measure([original, .. plans.Select(p => p.Result.Model)], sample);
            var full = LatencyRounds.Median(times[0]);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: original {full:0.000} ms (thread CPU, 1 thread, {times[0].Count} rounds, median)"));
            for (var i = 0; i < plans.Count; i++)
            {
                var (allocation, result, seconds) = plans[i];
                var cosine = Compare(original, result.Model, test);
                var ms = LatencyRounds.Median(times[i + 1]);
                var saved = LatencyRounds.MedianDifference(times[0], times[i + 1]);
                var ratios = Enumerable.Range(0, times[0].Count).Select(r => times[0][r] / times[i + 1][r]).Order().ToArray();
                var latency = result.Latency;
                rows.Add(
                [
                    name, allocation, result.ParametersAfter.ToString("N0", CultureInfo.InvariantCulture), cosine.ToString("0.0000", CultureInfo.InvariantCulture),
                    ms.ToString("0.000", CultureInfo.InvariantCulture),
                    string.Create(CultureInfo.InvariantCulture, $"{full / ms:0.00}x [{LatencyStatistics.Percentile(ratios, 0.25):0.00}, {LatencyStatistics.Percentile(ratios, 0.75):0.00}]"),
                    saved.ToString("0.000", CultureInfo.InvariantCulture),
                    latency is null ? "" : string.Create(CultureInfo.InvariantCulture, $"{latency.PlannedMs:0.000} (budget {latency.BudgetMs:0.000}; {latency.PredictedSpeedup:0.00}x)"),
                    latency is null ? "" : string.Create(CultureInfo.InvariantCulture, $"{latency.MeasureSeconds:0.0} s ({latency.Source})"),
                    seconds.ToString("0.0", CultureInfo.InvariantCulture),
                ]);
            }
        }

        output.WriteLine($"Channel 25%, activation importance, calibration + reconstruction, round_to auto; ONNX Runtime {InferenceSession.RuntimeVersion}; speed-up in thread CPU time " +
            "(median of per-round ratios, quartiles); saved = median per-round difference from the original");
        TextTableWriter.Write(output, ["model", "allocation", "parameters", "cosine", "ms", "speed-up", "saved ms", "predicted saved ms", "table built in", "prune s"], rows);
        return 0;
    }

    private static double Compare(OnnxModel original, OnnxModel pruned, string data)
    {
        using var a = ModelSessions.Open(original);
        using var b = ModelSessions.Open(pruned);
        return ModelComparison.Run(a, b, DatasetLoader.Open(data, a.Inputs)).Outputs[0].Cosine;
    }
}
