using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization;

/// <summary>The modes that need no calibration on a conv-heavy public model (PP-OCRv4 detector, 62 Conv): how much smaller, and still loadable.</summary>
public sealed class ConvHeavySizeTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder folder = new();

    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Int8_dynamic_makes_every_conv_ConvInteger_and_the_detector_3_3x_smaller() =>
        _ = AssertSmaller(QuantizationMode.Int8Dynamic, 3.3, "ConvInteger");

    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Int8_weight_stores_every_conv_weight_as_int8_and_the_detector_3_5x_smaller() =>
        _ = AssertSmaller(QuantizationMode.Int8Weight, 3.5, "DequantizeLinear");

    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Int4_weight_reaches_opset_21_int4_and_the_detector_6x_smaller()
    {
        var result = AssertSmaller(QuantizationMode.Int4Weight, 6.0, "DequantizeLinear");
        Assert.Equal(21, result.OpsetAfter);
        Assert.Contains(result.Model.Graph.Initializer, t => t.DataType == (int)Engine.Onnx.Proto.TensorProto.Types.DataType.Int4);
    }

    private QuantizationResult AssertSmaller(QuantizationMode mode, double ratio, string opType)
    {
        var path = RealModels.Path(RealModels.PaddleOcrDetector);
        var result = ModelQuantizer.Quantize(OnnxModelReader.Load(path), new QuantizationOptions { Mode = mode });
        var saved = folder.File("det.onnx");
        OnnxModelWriter.Save(result.Model, saved, ModelSaveOptions.Default);

        var actual = (double)new FileInfo(path).Length / new FileInfo(saved).Length;
        output.WriteLine($"{ModelQuantizer.ModeName(mode)}: {actual:F2}x smaller, opset {result.OpsetAfter}");
        Assert.Equal(62, result.Nodes.Count(n => n.OpType == "Conv" && n.Quantized));
        Assert.Contains(result.Model.Graph.Node, n => n.OpType == opType);
        Assert.True(actual >= ratio, $"only {actual:F2}x smaller (target {ratio}x)");
        Assert.Contains(result.Advisories, a => a.Code == "CB4013");
        using var session = ModelSessions.Open(saved);
        Assert.Single(session.Outputs);
        return result;
    }

    public void Dispose() => folder.Dispose();
}
