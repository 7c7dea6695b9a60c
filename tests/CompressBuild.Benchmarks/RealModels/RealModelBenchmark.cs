using System.Globalization;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;

namespace CompressBuild.Benchmarks.RealModels;

/// <summary>
/// Quantizes the public models of tests/models/real-models.tsv in every mode and prints one row per model and mode:
/// size ratio, speed ratio against fp32 (1 intra-op thread, interleaved A/B, 95% bootstrap interval), cosine of the
/// outputs on rendered inputs the calibration never saw, and the share of quantized Convs that ONNX Runtime runs as
/// QLinearConv. Timings are reported, never judged.
/// </summary>
internal static class RealModelBenchmark
{
    private static readonly (string Model, string Kind, int Height, int Width)[] Models =
    [
        (Testing.RealModels.PaddleOcrDetector, "det", 320, 320),
        (Testing.RealModels.PaddleOcrClassifier, "cls", 48, 192),
        (Testing.RealModels.PaddleOcrRecognizer, "rec", 48, 320),
    ];

    private static readonly QuantizationMode[] AllModes = [QuantizationMode.Int8Static, QuantizationMode.Int8Dynamic, QuantizationMode.Int8Weight, QuantizationMode.Int4Weight];

    public static int Run(IReadOnlyList<string> onlyModels, IReadOnlyList<string> onlyModes, TimeSpan maxTime, TextWriter output)
    {
        using var folder = new Engine.IO.ScratchFolder("real-models");
        var modes = AllModes.Where(m => onlyModes.Count == 0 || onlyModes.Contains(ModelQuantizer.ModeName(m))).ToList();
        var rows = new List<string>();
        output.WriteLine($"ONNX Runtime {InferenceSession.RuntimeVersion}, 1 intra-op thread, {Environment.ProcessorCount} cores (shared machine)");
        foreach (var (name, kind, height, width) in Models.Where(m => onlyModels.Count == 0 || onlyModels.Contains(m.Model)))
        {
            if (Testing.RealModels.Find(name) is not { } path)
            {
                output.WriteLine($"{name}: skipped, {Testing.RealModels.MissingReason(name)}");
                continue;
            }

            var calibration = OcrInputs.Render(folder.Path, kind, 16, seed: 7, height, width);
            var evaluation = OcrInputs.Render(folder.Path, kind, 8, seed: 11, height, width);
            var model = OnnxModelReader.Load(path);
            foreach (var mode in modes)
            {
                var options = new QuantizationOptions { Mode = mode };
                var pass = QuantizationPass.Run(model, new QuantizationRequest(options, mode == QuantizationMode.Int8Static ? calibration : null, 0, null, null));
                var saved = Path.Combine(folder.Path, $"{name}-{ModelQuantizer.ModeName(mode)}.onnx");
                OnnxModelWriter.Save(pass.Result.Model, saved, ModelSaveOptions.Default);
                var ratio = (double)new FileInfo(path).Length / new FileInfo(saved).Length;
                var settings = SessionSettings.Default with { IntraOpThreads = 1 };
                using var reference = ModelSessions.Open(path, settings);
                using var candidate = ModelSessions.Open(saved, settings);
                var data = DatasetLoader.Open(evaluation, reference.Inputs);
                var metrics = ModelComparison.Run(reference, candidate, data).Outputs[0];
                var samples = Enumerable.Range(0, data.Count).Select(data.Sample).ToList();
                var latency = InterleavedLatency.Measure(reference, candidate, samples, new LatencyOptions { MaxTime = maxTime });
                var fusion = pass.Result.Fusion;
                // Only int8-static promises integer Conv kernels; the other modes keep Conv float or use ConvInteger by design.
                var fused = mode != QuantizationMode.Int8Static || fusion is null || fusion.QuantizedConv == 0 ? "-"
                    : string.Create(CultureInfo.InvariantCulture, $"{fusion.FusedConv}/{fusion.QuantizedConv}");
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {ModelQuantizer.ModeName(mode)} | {ratio:0.00}x | {latency.Speedup.Ratio:0.00}x [{latency.Speedup.Low:0.00}, {latency.Speedup.High:0.00}] | {metrics.Cosine:0.0000} " +
                        $"| {fused} |"));
                output.WriteLine(rows[^1]);
                foreach (var advisory in pass.Result.Advisories.Where(a => a.Code is "CB4017" or "CB4018"))
                {
                    // Which nodes latency-aware int8-static kept float, with the profile's kernel time before and after.
                    output.WriteLine($"  {advisory.Code}: {advisory.Message}");
                }
            }
        }

        output.WriteLine();
        output.WriteLine("| model | mode | size ratio | speed vs fp32 [95% interval] | cosine | Conv fused |");
        output.WriteLine("|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            output.WriteLine(row);
        }

        return 0;
    }
}
