using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Calibration;

public class CalibrationCollectorTests
{
    private static readonly string Digits = Path.Combine(RepositoryPaths.Root, "tests", "fixtures", "digits");

    [Fact]
    public void Calibration_allocates_a_fixed_amount_per_sample_far_below_the_activations_it_reads()
    {
        var model = OnnxModelReader.Load(Path.Combine(Digits, "cnn_residual.onnx"));
        var activations = model.Graph.Node.Where(n => n.OpType is "Conv" or "Relu" or "Add" or "MaxPool" or "GlobalAveragePool").Select(n => n.Output[0]).ToList();
        Dataset data;
        using (var session = ModelSessions.Open(model))
        {
            data = DatasetLoader.Open(Path.Combine(Digits, "calib_x_img.npy"), session.Inputs);
        }

        var settings = SessionSettings.Default with { IntraOpThreads = 1 };
        var warmUp = CalibrationCollector.Collect(model, activations, data.Take(2), settings);
        var (few, many) = (8, 32);
        var fewBytes = Allocated(() => CalibrationCollector.Collect(model, activations, data.Take(few), settings));
        IReadOnlyDictionary<string, ActivationHistogram>? histograms = null;
        var manyBytes = Allocated(() => histograms = CalibrationCollector.Collect(model, activations, data.Take(many), settings));

        // What one sample's exposed activations hold: copying them out of ONNX Runtime would allocate at least this much per sample.
        var activationBytes = histograms!.Values.Sum(h => h.Count) * sizeof(float) / many;
        var inputBytes = data.Sample(0).Sum(t => t.Data.Length);
        var perSample = (double)(manyBytes - fewBytes) / (many - few);
        Assert.True(activationBytes > 50 * 1024, $"the fixture's activations ({activationBytes} bytes per sample) are too small to tell a copy from bookkeeping");
        Assert.True(perSample < (activationBytes / 8.0) + inputBytes,
            $"calibration allocated {perSample:0} bytes per extra sample; one sample's activations are {activationBytes} bytes and its input {inputBytes}");
        Assert.Equal(warmUp.Keys.Order(StringComparer.Ordinal), histograms.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Histograms_match_the_activations_a_plain_run_computes()
    {
        var model = OnnxModelReader.Load(Path.Combine(Digits, "cnn_residual.onnx"));
        var activations = model.Graph.Node.Where(n => n.OpType == "Conv").Select(n => n.Output[0]).Take(3).ToList();
        Dataset data;
        using (var session = ModelSessions.Open(model))
        {
            data = DatasetLoader.Open(Path.Combine(Digits, "calib_x_img.npy"), session.Inputs).Take(4);
        }

        var histograms = CalibrationCollector.Collect(model, activations, data, SessionSettings.Default);

        // The reference: the same activations exposed on an unoptimized session and copied out, sample by sample.
        using var plain = ModelSessions.Open(ModelOutputs.WithOutputs(model, activations), SessionSettings.Default with { OptimizationLevel = GraphOptimizationLevel.None });
        var expected = activations.ToDictionary(a => a, _ => (Min: float.PositiveInfinity, Max: float.NegativeInfinity, Count: 0L));
        for (var i = 0; i < data.Count; i++)
        {
            var outputs = plain.Run(data.Sample(i), activations);
            for (var k = 0; k < activations.Count; k++)
            {
                var values = outputs[k].AsSpan<float>();
                var (min, max, count) = expected[activations[k]];
                expected[activations[k]] = (Math.Min(min, System.Numerics.Tensors.TensorPrimitives.Min(values)), Math.Max(max, System.Numerics.Tensors.TensorPrimitives.Max(values)),
                    count + values.Length);
            }
        }

        foreach (var activation in activations)
        {
            var histogram = histograms[activation];
            var (min, max, count) = expected[activation];
            Assert.Equal(count, histogram.Count);
            Assert.Equal(count, histogram.Counts.ToArray().Sum());
            Assert.Equal(min, histogram.Min, 1e-4f * Math.Max(1, Math.Abs(min)));
            Assert.Equal(max, histogram.Max, 1e-4f * Math.Max(1, Math.Abs(max)));
        }
    }

    [RealModelFact(RealModels.PaddleOcrClassifier)]
    public void The_exact_tails_equal_a_sort_of_the_real_activations_and_the_histograms_are_within_a_bin()
    {
        using var folder = new TempFolder();
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrClassifier));
        var activations = model.Graph.Node.Where(n => n.OpType is "Conv" or "Add" or "HardSigmoid" or "Mul").Select(n => n.Output[0]).Take(24).ToList();
        Dataset data;
        using (var session = ModelSessions.Open(model))
        {
            data = DatasetLoader.Open(OcrInputs.Render(folder.Path, "cls", 8, seed: 7), session.Inputs);
        }

        const double Percentile = 99.999;
        var tails = CalibrationCollector.Collect(model, activations, data, SessionSettings.Default, _ => false, Percentile);
        var binned = CalibrationCollector.Collect(model, activations, data, SessionSettings.Default);

        // The reference: every value copied out of a plain session, sorted.
        using var plain = ModelSessions.Open(ModelOutputs.WithOutputs(model, activations), SessionSettings.Default with { OptimizationLevel = GraphOptimizationLevel.None });
        var magnitudes = activations.ToDictionary(a => a, _ => new List<float>());
        for (var i = 0; i < data.Count; i++)
        {
            var outputs = plain.Run(data.Sample(i), activations);
            for (var k = 0; k < activations.Count; k++)
            {
                magnitudes[activations[k]].AddRange(outputs[k].AsSpan<float>().ToArray().Select(Math.Abs));
            }
        }

        foreach (var activation in activations)
        {
            var sorted = magnitudes[activation].Order().ToArray();
            var expected = sorted[(int)Math.Ceiling(sorted.Length * Percentile / 100) - 1];
            Assert.False(tails[activation].Binned);
            Assert.True(tails[activation].TryMagnitudePercentile(Percentile, out var exact), activation);
            Assert.Equal(expected, exact, 1e-5f * Math.Max(1, expected));

            var fromTail = new PercentileCalibrator(Percentile).Range(tails[activation]);
            var fromBins = new PercentileCalibrator(Percentile).Range(binned[activation]);
            var width = binned[activation].BinWidth * 1.0001;
            Assert.InRange(fromBins.High - fromTail.High, -1e-6, width);
            Assert.InRange(fromTail.Low - fromBins.Low, -1e-6, width);
        }
    }

    [RealModelFact(RealModels.PaddleOcrClassifier)]
    public void Calibration_measures_exactly_the_activations_the_quantized_classifier_quantizes()
    {
        // Every measured activation gets a Q/DQ pair, and every pair without a measurement sits after a value-preserving op
        // (MaxPool, Reshape...), which shares its input's parameters: nothing is exposed that no pair reads.
        using var folder = new TempFolder();
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrClassifier));
        Dataset data;
        using (var session = ModelSessions.Open(model))
        {
            data = DatasetLoader.Open(OcrInputs.Render(folder.Path, "cls", 4, seed: 7), session.Inputs);
        }

        var measured = new Dictionary<string, ActivationHistogram>(StringComparer.Ordinal);
        var options = new Engine.Quantization.QuantizationOptions
        {
            Mode = Engine.Quantization.QuantizationMode.Int8Static,
            Rounding = Engine.Quantization.Weights.WeightRounding.Nearest,
        };
        var quantized = Engine.Quantization.ModelQuantizer.Quantize(model, options, data, measured).Model;

        var producers = quantized.Graph.Node.SelectMany(n => n.Output.Select(o => (Output: o, Node: n))).ToDictionary(p => p.Output, p => p.Node, StringComparer.Ordinal);
        var pairs = quantized.Graph.Node.Where(n => n.OpType == "QuantizeLinear").Select(n => n.Input[0]).ToHashSet(StringComparer.Ordinal);
        Assert.True(measured.Count > 40, $"{measured.Count} activations measured");
        Assert.DoesNotContain(measured.Keys, k => !pairs.Contains(k));
        Assert.DoesNotContain(pairs, p => !measured.ContainsKey(p)
            && !(producers.TryGetValue(p, out var producer) && Engine.Quantization.Operators.OperatorQuantizers.For(producer.OpType) is { OutputSharesInputParams: true }));
    }

    [Fact]
    public void Samples_larger_than_the_first_get_a_second_pass_with_the_histogram()
    {
        // y = -x over inputs of varying width: the tail is sized on the first sample (10 values: the 5 largest of 40 for percentile 90),
        // then 3 x 10,000 arrive, and the range needs the 3,002nd largest of 30,010, more than the tail's buffer can hold.
        var proto = TestModels.Empty();
        proto.Graph.Node.Add(TestModels.Node("Neg", ["x"], ["y"]));
        proto.Graph.Input.Add(TestModels.Tensor("x", TensorProto.Types.DataType.Float, 1, "w"));
        proto.Graph.Output.Add(TestModels.Tensor("y", TensorProto.Types.DataType.Float, 1, "w"));
        var model = new OnnxModel(proto, null, "neg.onnx");
        float[] Values(int i) => Enumerable.Range(0, i == 0 ? 10 : 10_000).Select(k => (float)((k * 7919 % 10_000) + (i * 0.25))).ToArray();
        var data = new Dataset("widths", 4, i => [HostTensor.FromArray<float>("x", [1, i == 0 ? 10 : 10_000], Values(i))]);

        var histogram = CalibrationCollector.Collect(model, ["y"], data, SessionSettings.Default, _ => false, 90)["y"];

        var sorted = Enumerable.Range(0, 4).SelectMany(Values).Order().ToArray();
        var expected = sorted[(int)Math.Ceiling(sorted.Length * 90.0 / 100) - 1];
        Assert.True(histogram.Binned);
        Assert.Equal(sorted.Length, histogram.Count);
        var range = new PercentileCalibrator(90).Range(histogram);
        Assert.InRange(-range.Low - expected, 0, histogram.BinWidth);
    }

    private static long Allocated(Action action)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
