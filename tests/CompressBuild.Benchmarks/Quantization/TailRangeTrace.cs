using System.Globalization;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Quantization.Weights;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;

namespace CompressBuild.Benchmarks.Quantization;

/// <summary>
/// Which long-tailed activations of the PP-OCRv4 detector cost output cosine, and whether the mse range does better than the
/// percentile one there: quantizes the detector int8-static with the given rounding and smooth 0.7 on 16 rendered pages (seed 7)
/// twice, percentile and mse ranges, builds one switchable model (Calibration.RangeSwitches) and, for every activation whose
/// percentile range is at least --min-ratio times its mse range, prints both ranges and the cosine that moving it alone to the mse
/// range gains on 8 pages of seed 11 and 8 of seed 13; then all of them together, and the ones Calibration.TailRangeChoice takes.
/// </summary>
internal static class TailRangeTrace
{
    public static int Run(WeightRounding rounding, double minRatio, int size, CalibrationMethod method, double otherPercentile, TextWriter output)
    {
        if (Testing.RealModels.Find(Testing.RealModels.PaddleOcrDetector) is not { } path)
        {
            output.WriteLine($"skipped, {Testing.RealModels.MissingReason(Testing.RealModels.PaddleOcrDetector)}");
            return 0;
        }

        using var folder = new Engine.IO.ScratchFolder("tail-range-trace");
        var model = OnnxModelReader.Load(path);
        using var reference = ModelSessions.Open(model);
        Dataset Pages(int count, int seed) => DatasetLoader.Open(OcrInputs.Render(folder.Path, "det", count, seed, size, size), reference.Inputs);
        var calibration = Pages(16, 7);
        var checks = new[] { (Seed: 11, Data: Pages(8, 11)), (Seed: 13, Data: Pages(8, 13)) };
        var options = new QuantizationOptions { Rounding = rounding, Smooth = HeldOutChoice.SmoothCandidate, CompactGraph = false };
        var histograms = new Dictionary<string, ActivationHistogram>(StringComparer.Ordinal);
        var start = ModelQuantizer.Quantize(model, options, calibration, histograms).Model;
        var alternative = ModelQuantizer.Quantize(model, options with { Calibration = method, Percentile = otherPercentile }, calibration, histograms).Model;
        var switches = RangeSwitches.Build(start, alternative);
        var index = GraphIndex.Build(start.Graph);
        var percentile = RangeCalibrator.Create(CalibrationMethod.Percentile, options.Percentile);
        var mse = RangeCalibrator.Create(method, otherPercentile);
        var rows = new List<(int Switch, string Line)>();
        for (var i = 0; i < switches.Tensors.Count; i++)
        {
            var tensor = switches.Tensors[i];
            if (!histograms.TryGetValue(tensor, out var histogram) || (!histogram.Binned && method is CalibrationMethod.Mse or CalibrationMethod.Entropy))
            {
                continue;
            }

            var (wide, narrow) = (percentile.Range(histogram), mse.Range(histogram));
            var ratio = Math.Max((wide.High - wide.Low) / Math.Max(1e-12, narrow.High - narrow.Low), (narrow.High - narrow.Low) / Math.Max(1e-12, wide.High - wide.Low));
            if (ratio >= minRatio)
            {
                var producer = index.Producer(tensor)?.OpType ?? "input";
                var readers = string.Join(",", index.Consumers(tensor).Select(c => c.OpType == "QuantizeLinear" ? "Q" : c.OpType).Distinct());
                rows.Add((i, string.Create(CultureInfo.InvariantCulture,
                    $"| {tensor} | {producer} | [{histogram.Min:0.###}, {histogram.Max:0.###}] | [{wide.Low:0.###}, {wide.High:0.###}] | [{narrow.Low:0.###}, {narrow.High:0.###}] | {ratio:0.0} |")));
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ppocr-det {size}x{size}, {WeightRoundings.NameOf(rounding)} + smooth 0.7: {switches.Tensors.Count} activations with different ranges, {rows.Count} at ratio >= {minRatio}"));
        var scores = checks.Select(c => new SwitchedModelCosine(model, switches.Model, switches.Mask, c.Data, SessionSettings.Default with { IntraOpThreads = 1 })).ToList();
        try
        {
            var baseline = scores.Select(s => s.Of([])).ToList();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"percentile everywhere: seed 11 {baseline[0]:0.0000}, seed 13 {baseline[1]:0.0000}; all other: "
                + $"{scores[0].Of(Enumerable.Range(0, switches.Tensors.Count)):0.0000}, {scores[1].Of(Enumerable.Range(0, switches.Tensors.Count)):0.0000}"));
            output.WriteLine("| tensor | producer | observed | percentile range | other range | ratio | gain seed 11 | gain seed 13 |");
            output.WriteLine("|---|---|---|---|---|---:|---:|---:|");
            foreach (var (i, line) in rows)
            {
                var gains = scores.Select((s, k) => s.Of([i]) - baseline[k]).ToList();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{line} {gains[0]:+0.0000;-0.0000} | {gains[1]:+0.0000;-0.0000} |"));
            }

            var all = rows.Select(r => r.Switch).ToList();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"all {rows.Count} on the other range: seed 11 {scores[0].Of(all):0.0000}, seed 13 {scores[1].Of(all):0.0000}"));
        }
        finally
        {
            scores.ForEach(s => s.Dispose());
        }

        return 0;
    }
}
