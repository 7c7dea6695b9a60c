using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Testing;
using Google.Protobuf;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization.Selection;

/// <summary>
/// int8-static's default placement on PaddleOCR's PP-OCRv4 direction classifier (public, MobileNetV3, 48x192 input),
/// the model that ran at 0.73x of float with every node quantized. The placement is read from the graph alone, so
/// these tests assert what it keeps float and that the bytes repeat, never a timing.
/// </summary>
public sealed class LatencyPlacementTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder folder = new();

    [RealModelFact(RealModels.PaddleOcrClassifier)]
    public void The_classifier_keeps_exactly_its_unaligned_depthwise_and_few_channel_Convs_MaxPool_and_the_float_fed_pools_and_Muls_float_in_the_same_bytes_twice()
    {
        var original = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrClassifier));
        var calibration = OcrInputs.Render(folder.Path, "cls", 8, seed: 7, 48, 192);
        var evaluation = OcrInputs.Render(folder.Path, "cls", 8, seed: 11, 48, 192);

        var result = Quantize(original, calibration, placement: true);
        var again = Quantize(original, calibration, placement: true);

        var placed = result.Nodes.Where(n => n.Detail.Contains("latency_placement", StringComparison.Ordinal)).ToList();
        var byType = placed.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine(string.Join(", ", byType.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Value} {p.Key}")));
        Assert.All(placed, n => Assert.False(n.Quantized, n.Node));

        // The Convs it names are the depthwise ones whose channel count is not a multiple of 16 (8 of the 11: 8, 24, 40,
        // 88, 104, 200 channels) and those on at most 4 input channels (the stem on RGB, the first SE block's 2-channel
        // expand), nothing else; the 32- and 48-channel depthwise Convs and every other Conv are quantized and fuse.
        var graph = result.Model.Graph;
        var depthwise = graph.Node.Where(n => n.OpType == "Conv" && NodeAttributes.Int(n, "group", 1) > 1).ToList();
        Assert.Equal(11, depthwise.Count);
        var unaligned = depthwise.Where(n => NodeAttributes.Int(n, "group", 1) % 16 != 0).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(8, unaligned.Count);
        var placedConvs = placed.Where(n => n.OpType == "Conv").Select(n => n.Node).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(unaligned, placedConvs);
        Assert.Equal(["p2o.Conv.0", "p2o.Conv.4"], placedConvs.Except(unaligned).Order(StringComparer.Ordinal));
        Assert.All(depthwise.Where(n => !unaligned.Contains(n.Name)), n => Assert.True(result.Nodes.Single(d => d.Node == n.Name).Quantized, n.Name));
        Assert.Equal(1, byType["MaxPool"]);
        // Every GlobalAveragePool reads a float HardSwish or the float MaxPool, every SE Mul a float HardSigmoid; the
        // residual Adds read quantized pointwise Convs and stay int8.
        Assert.Equal(10, byType["GlobalAveragePool"]);
        Assert.Equal(9, byType["Mul"]);
        Assert.False(byType.ContainsKey("Add"));
        Assert.Equal(4, byType.Count);
        Assert.Equal(43, result.Nodes.Count(n => n.Quantized && n.OpType == "Conv"));
        Assert.Equal(43, result.Fusion!.FusedConv);
        Assert.Contains(result.Advisories, a => a.Code == "CB4020" && a.Message.Contains("30 node(s)", StringComparison.Ordinal));

        Assert.Equal(result.Model.Proto.ToByteArray(), again.Model.Proto.ToByteArray());
        var metrics = FirstOutput.Compare(original, result.Model, evaluation);
        output.WriteLine($"cosine {metrics.Cosine:0.0000}");
        Assert.True(metrics.Cosine >= 0.99, $"cosine {metrics.Cosine}");
    }

    [RealModelFact(RealModels.PaddleOcrClassifier)]
    public void Latency_placement_off_quantizes_every_Conv_and_says_nothing_about_placement()
    {
        var original = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrClassifier));
        var calibration = OcrInputs.Render(folder.Path, "cls", 8, seed: 7, 48, 192);

        var result = Quantize(original, calibration, placement: false);

        Assert.Equal(53, result.Nodes.Count(n => n.Quantized && n.OpType == "Conv"));
        Assert.DoesNotContain(result.Nodes, n => n.Detail.Contains("latency_placement", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Advisories, a => a.Code == "CB4020");
    }

    /// <summary>
    /// ReduceRange false pins u8 activations, which a CPU without VNNI would otherwise swap for s8 (CB4018); placement then keeps other
    /// Convs float (33 quantized instead of 43 with s8 activations): the counts checked are the same on every CI machine.
    /// </summary>
    private static QuantizationResult Quantize(OnnxModel original, string calibration, bool placement) =>
        QuantizationPass.Run(original, new QuantizationRequest(new QuantizationOptions { LatencyPlacement = placement, ReduceRange = false }, calibration, 0, null, null)).Result;

    public void Dispose() => folder.Dispose();
}
