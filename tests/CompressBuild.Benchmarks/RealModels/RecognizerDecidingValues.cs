using System.Globalization;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Quantization.Mixed;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;

namespace CompressBuild.Benchmarks.RealModels;

/// <summary>
/// Which activations decide the PP-OCRv4 recognizer's int8-static character accuracy (mse ranges, 32 rendered calibration lines of
/// one seed): for every activation Q/DQ pair, the held-out character accuracy (rendered lines with their truth) when that pair
/// alone is float (the rest int8) and when it alone is int8 (the rest float), beside the label-free signals measured on 8
/// calibration lines that could predict it (output cosine gained, <see cref="GreedyPathScore"/> gained), with their rank
/// correlation to the held-out gain. With a second calibration seed, the same for each activation whose range differs
/// between the two sets: the held-out accuracy when it alone takes the other set's range.
/// </summary>
internal static class RecognizerDecidingValues
{
    public static int Run(int calibrationSeed, int? otherSeed, int heldOutSeed, int lines, int top, TextWriter output)
    {
        var name = Testing.RealModels.PaddleOcrRecognizer;
        if (Testing.RealModels.Find(name) is not { } path || Testing.RealModels.Find(Testing.RealModels.PaddleOcrKeys) is not { } keysPath)
        {
            output.WriteLine($"{name}: skipped, {Testing.RealModels.MissingReason(name)}");
            return 0;
        }

        using var folder = new Engine.IO.ScratchFolder("rec-deciding");
        var model = OnnxModelReader.Load(path);
        var settings = SessionSettings.Default;
        using var reference = ModelSessions.Open(model, settings);
        var calibration = DatasetLoader.Open(OcrInputs.Render(folder.Path, "rec", 32, calibrationSeed), reference.Inputs);
        var testPath = OcrInputs.Render(folder.Path, "rec", lines, heldOutSeed);
        var test = DatasetLoader.Open(testPath, reference.Inputs);
        var truth = RecognizerText.Truth(testPath);
        var keys = CtcGreedyDecoder.ReadKeys(keysPath);
        var outputName = reference.Outputs[0].Name;
        var expected = Enumerable.Range(0, test.Count).Select(i => reference.Run(test.Sample(i), [outputName])[0]).ToList();
        var options = new QuantizationOptions { Mode = QuantizationMode.Int8Static, Calibration = CalibrationMethod.Mse, CompactGraph = false };
        var histograms = new Dictionary<string, ActivationHistogram>(StringComparer.Ordinal);
        var quantized = ModelQuantizer.Quantize(model, options, calibration, histograms).Model;

        double Accuracy(InferenceSession session, HostTensor? mask)
        {
            var text = new TextComparison(new CtcScoring(outputName, keys, keysPath, truth));
            for (var i = 0; i < test.Count; i++)
            {
                var scores = session.Run(mask is null ? test.Sample(i) : [.. test.Sample(i), mask], [outputName])[0];
                text.Add(expected[i].AsSpan<float>(), scores.AsSpan<float>(), expected[i].Shape);
            }

            return text.Result().CandidateAccuracy * 100;
        }

        var floatAccuracy = Accuracy(reference, null);
        var switches = ActivationSwitches.Build(quantized);
        using (var session = ModelSessions.Open(switches.Model, settings))
        using (var signals = new SwitchedModelCosine(model, switches.Model, switches.Mask, calibration.Take(8), settings))
        {
            var count = switches.Tensors.Count;
            var all = Enumerable.Range(0, count).ToList();
            var int8 = Accuracy(session, switches.Mask([]));
            var (cosine0, path0) = signals.Scores([]);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"calibration seed {calibrationSeed} (mse), {lines} held-out lines of seed {heldOutSeed}: fp32 {floatAccuracy:0.00}%, every pair int8 {int8:0.00}%, {count} pairs"));
            var rows = new List<(int Index, double FloatGain, double AloneLoss, double Cosine, double Path)>();
            for (var i = 0; i < count; i++)
            {
                var floatGain = Accuracy(session, switches.Mask([i])) - int8;
                var aloneLoss = floatAccuracy - Accuracy(session, switches.Mask(all.Where(j => j != i)));
                var (cosine, pathScore) = signals.Scores([i]);
                rows.Add((i, floatGain, aloneLoss, cosine - cosine0, pathScore - path0));
            }

            output.WriteLine("| pair | tensor | producer -> readers | held-out points gained, alone float | held-out points lost, alone int8 " +
                "| cosine gained (calibration) | path gained (calibration) |");
            output.WriteLine("|---|---|---|---|---|---|---|");
            foreach (var r in rows.OrderByDescending(r => r.FloatGain).ThenByDescending(r => r.AloneLoss).Take(top))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {r.Index} | {switches.Tensors[r.Index]} | {switches.Producers[r.Index]} -> {switches.Readers[r.Index]} | {r.FloatGain:0.00} | " +
                    $"{r.AloneLoss:0.00} | {r.Cosine:0.0000} | {r.Path:0.0000} |"));
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rank correlation with the held-out gain alone float: cosine {Spearman(rows.Select(r => r.FloatGain), rows.Select(r => r.Cosine)):0.00}, " +
                $"path {Spearman(rows.Select(r => r.FloatGain), rows.Select(r => r.Path)):0.00}; with the loss alone int8: cosine " +
                $"{Spearman(rows.Select(r => r.AloneLoss), rows.Select(r => r.Cosine)):0.00}, path {Spearman(rows.Select(r => r.AloneLoss), rows.Select(r => r.Path)):0.00}"));
            foreach (var k in new[] { 4, 8, 16 })
            {
                var byCosine = rows.OrderByDescending(r => r.Cosine).ThenBy(r => r.Index).Take(k).Select(r => r.Index).ToList();
                var byPath = rows.OrderByDescending(r => r.Path).ThenBy(r => r.Index).Take(k).Select(r => r.Index).ToList();
                var byTruth = rows.OrderByDescending(r => r.FloatGain).ThenBy(r => r.Index).Take(k).Select(r => r.Index).ToList();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"top {k} float: by cosine {Accuracy(session, switches.Mask(byCosine)) - int8:0.00} points, by path {Accuracy(session, switches.Mask(byPath)) - int8:0.00}, " +
                    $"by held-out gain (oracle) {Accuracy(session, switches.Mask(byTruth)) - int8:0.00}"));
            }
        }

        if (otherSeed is not { } other)
        {
            return 0;
        }

        var otherCalibration = DatasetLoader.Open(OcrInputs.Render(folder.Path, "rec", 32, other), reference.Inputs);
        var alternative = ModelQuantizer.Quantize(model, options, otherCalibration, new Dictionary<string, ActivationHistogram>(StringComparer.Ordinal)).Model;
        var ranges = RangeSwitches.Build(quantized, alternative);
        var scales = Scales(quantized);
        var otherScales = Scales(alternative);
        using (var session = ModelSessions.Open(ranges.Model, settings))
        using (var signals = new SwitchedModelCosine(model, ranges.Model, ranges.Mask, calibration.Take(8), settings))
        {
            var start = Accuracy(session, ranges.Mask([]));
            var swapped = Accuracy(session, ranges.Mask(Enumerable.Range(0, ranges.Tensors.Count)));
            var (cosine0, path0) = signals.Scores([]);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ranges of seed {calibrationSeed} -> seed {other}: {ranges.Tensors.Count} differ; held-out {start:0.00}% -> every range swapped {swapped:0.00}%"));
            var rows = Enumerable.Range(0, ranges.Tensors.Count).Select(i =>
            {
                var (cosine, pathScore) = signals.Scores([i]);
                return (Index: i, Gain: Accuracy(session, ranges.Mask([i])) - start, Cosine: cosine - cosine0, Path: pathScore - path0);
            }).ToList();
            output.WriteLine("| tensor | scale seed A | scale seed B | held-out points gained, alone swapped | cosine gained (calibration A) | path gained (calibration A) |");
            output.WriteLine("|---|---|---|---|---|---|");
            foreach (var r in rows.OrderByDescending(r => Math.Abs(r.Gain)).Take(top))
            {
                var t = ranges.Tensors[r.Index];
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {t} | {scales.GetValueOrDefault(t):0.00000} | {otherScales.GetValueOrDefault(t):0.00000} | {r.Gain:0.00} | {r.Cosine:0.0000} | {r.Path:0.0000} |"));
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"sum of single gains {rows.Sum(r => r.Gain):0.00} points; rank correlation with the held-out gain: cosine " +
                $"{Spearman(rows.Select(r => r.Gain), rows.Select(r => r.Cosine)):0.00}, path {Spearman(rows.Select(r => r.Gain), rows.Select(r => r.Path)):0.00}"));
        }

        return 0;
    }

    private static Dictionary<string, float> Scales(OnnxModel quantized)
    {
        var initializers = quantized.Graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var scales = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var q in quantized.Graph.Node.Where(n => n.OpType == "QuantizeLinear" && !initializers.ContainsKey(n.Input[0])))
        {
            if (initializers.TryGetValue(q.Input[1], out var scale))
            {
                scales.TryAdd(q.Input[0], TensorData.ToSingles(scale, quantized)[0]);
            }
        }

        return scales;
    }

    private static double Spearman(IEnumerable<double> a, IEnumerable<double> b)
    {
        var x = Ranks(a.ToList());
        var y = Ranks(b.ToList());
        var mx = x.Average();
        var my = y.Average();
        var sxy = x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my));
        var sx = Math.Sqrt(x.Sum(v => (v - mx) * (v - mx)));
        var sy = Math.Sqrt(y.Sum(v => (v - my) * (v - my)));
        return sx == 0 || sy == 0 ? 0 : sxy / (sx * sy);
    }

    private static List<double> Ranks(List<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToList();
        var ranks = new double[values.Count];
        for (var i = 0; i < order.Count;)
        {
            var j = i;
            while (j + 1 < order.Count && values[order[j + 1]] == values[order[i]])
            {
                j++;
            }

            for (var k = i; k <= j; k++)
            {
                ranks[order[k]] = (i + j) / 2.0;
            }

            i = j + 1;
        }

        return [.. ranks];
    }
}
