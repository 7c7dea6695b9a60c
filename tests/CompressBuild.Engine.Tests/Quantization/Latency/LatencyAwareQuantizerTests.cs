using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Latency;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization.Latency;

/// <summary>
/// PaddleOCR's PP-OCRv4 direction classifier (public, MobileNetV3, 48x192 input), the model int8-static made slower
/// than float on this repository's machine. Timings differ from run to run, so nothing here asserts a speed: the
/// profiles are recorded once per test and the assertions are about what is decided from them.
/// </summary>
public sealed class LatencyAwareQuantizerTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder folder = new();

    [RealModelFact(RealModels.PaddleOcrClassifier)]
    public void Profiles_of_the_classifier_charge_every_integer_and_every_float_Conv_kernel_to_its_Conv()
    {
        var original = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrClassifier));
        var calibration = OcrInputs.Render(folder.Path, "cls", 8, seed: 7, 48, 192);
        // ReduceRange false pins u8 activations, which a CPU without VNNI would otherwise swap for s8 (CB4018), and ONNX Runtime runs the
        // s8 depthwise Convs in float (42 QLinearConv of 53): the kernels checked are the same on every CI machine.
        var pass = QuantizationPass.Run(original, new QuantizationRequest(new QuantizationOptions { LatencyAware = false, LatencyPlacement = false, ReduceRange = false },
            calibration, 0, null, null));
        var quantized = pass.Result;
        var sample = pass.Calibration!.Sample(0);

        var int8 = ModelProfiler.Profile(quantized.Model, sample, SessionSettings.Default);
        var fp32 = ModelProfiler.Profile(original, sample, SessionSettings.Default);
        var int8Costs = ProfileAttribution.Attribute(quantized.Model.Graph, int8);
        var fp32Costs = ProfileAttribution.Attribute(quantized.Model.Graph, fp32);

        var convs = quantized.Nodes.Where(n => n.Quantized && n.OpType == "Conv").Select(n => n.Node).ToList();
        var depthwise = quantized.Model.Graph.Node.Where(n => n.OpType == "Conv" && n.Attribute.Any(a => a.Name == "group" && a.I > 1)).Select(n => n.Name).ToList();
        output.WriteLine($"int8 kernels {ProfileTotal.Microseconds(int8):0} us, float {ProfileTotal.Microseconds(fp32):0} us; {convs.Count} Convs, " +
            $"{depthwise.Count} depthwise; float-attributed {convs.Count(fp32Costs.ContainsKey)}");
        Assert.Equal(53, convs.Count);
        Assert.Equal(int8.Count(t => t.OpType == "QLinearConv"), convs.Count(int8Costs.ContainsKey));
        Assert.All(convs, c => Assert.True(int8Costs.ContainsKey(c), $"{c} has no integer kernel in the profile"));

        // Every depthwise Conv, the candidates on x86, is compared with its float kernel (NCHWc, BatchNormalization folded).
        Assert.Equal(11, depthwise.Count);
        Assert.All(depthwise, c => Assert.True(fp32Costs.ContainsKey(c), $"{c} has no float kernel in the profile"));

        // The decision is a function of the recorded profiles: the same data, the same nodes.
        var slow = SlowNodeFinder.Find(quantized.Nodes, int8Costs, fp32Costs, 1.1);
        Assert.Equal(slow, SlowNodeFinder.Find(quantized.Nodes, int8Costs, fp32Costs, 1.1));
        Assert.All(slow, s => Assert.True(s.QuantizedMicroseconds > (s.FloatMicroseconds * 1.1) + SlowNodeFinder.AbsoluteMarginMicroseconds));
    }

    [RealModelFact(RealModels.PaddleOcrClassifier)]
    public void Nodes_kept_float_for_speed_are_float_in_the_model_and_said_so_and_each_kept_round_holds_the_cosine_tolerance()
    {
        var original = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrClassifier));
        var calibration = OcrInputs.Render(folder.Path, "cls", 16, seed: 7, 48, 192);
        var evaluation = OcrInputs.Render(folder.Path, "cls", 8, seed: 11, 48, 192);

        var result = QuantizationPass.Run(original, new QuantizationRequest(new QuantizationOptions { LatencyAware = true, LatencyPlacement = false }, calibration, 0, null, null)).Result;

        foreach (var round in result.LatencyRounds)
        {
            output.WriteLine($"factor {round.Factor}: {round.Slow.Count} slow " +
                $"({string.Join(", ", round.Slow.Select(s => $"{s.Node} {s.QuantizedMicroseconds:0}/{s.FloatMicroseconds:0}"))}); " +
                $"{round.BeforeMicroseconds:0} -> {round.AfterMicroseconds:0} us, kept {round.Kept}");
        }

        Assert.NotEmpty(result.LatencyRounds);
        var kept = result.LatencyRounds.TakeWhile(r => r.Kept).SelectMany(r => r.Slow).Select(s => s.Node).ToHashSet(StringComparer.Ordinal);
        Assert.True(result.LatencyRounds.SkipWhile(r => r.Kept).Count() <= 1, "rounds go on after one that did not pay off");
        // A float node still reads quantized activations through their DequantizeLinear; its weights stay float.
        var initializers = result.Model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var weightsDequantized = result.Model.Graph.Node.Where(n => n.OpType == "DequantizeLinear" && initializers.Contains(n.Input[0])).Select(n => n.Output[0]).ToHashSet(StringComparer.Ordinal);
        foreach (var name in kept)
        {
            var decision = result.Nodes.Single(n => n.Node == name);
            Assert.False(decision.Quantized, name);
            Assert.StartsWith("kept float for speed", decision.Detail, StringComparison.Ordinal);
            var node = result.Model.Graph.Node.Single(n => n.Name == name);
            Assert.DoesNotContain(node.Input, weightsDequantized.Contains);
        }

        Assert.Equal(kept.Count > 0, result.Advisories.Any(a => a.Code == "CB4017" && a.Message.Contains("kept", StringComparison.Ordinal)));
        var metrics = FirstOutput.Compare(original, result.Model, evaluation);
        output.WriteLine($"kept float {kept.Count}, cosine {metrics.Cosine:0.0000}");
        // What latency-aware promises is checked on the calibration inputs, round by round; which nodes a round keeps follows
        // timings, so on other inputs the cosine varies between runs (0.988-0.999 measured): 0.98 is a floor against breakage.
        Assert.All(result.LatencyRounds.Where(r => r.Kept), r => Assert.True(r.CosineAfter >= r.CosineBefore - LatencyRound.CosineTolerance,
            $"factor {r.Factor}: cosine {r.CosineBefore} -> {r.CosineAfter}"));
        Assert.True(metrics.Cosine >= 0.98, $"cosine {metrics.Cosine}");
    }

    public void Dispose() => folder.Dispose();
}
