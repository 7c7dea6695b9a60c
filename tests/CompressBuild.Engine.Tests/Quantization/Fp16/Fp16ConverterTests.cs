using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Fp16;

public class Fp16ConverterTests
{
    [Theory]
    [InlineData("mlp.onnx")]
    [InlineData("cnn_residual.onnx")]
    [InlineData("cnn_concat_dw.onnx")]
    [InlineData("mlp_opset11_constants.onnx")]
    public void Fp16_keeps_top1_within_a_tenth_of_a_point_and_io_types(string model)
    {
        using var temp = new TempFolder();
        var result = DigitsQuantization.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Fp16 });

        var comparison = DigitsQuantization.CompareOnTestSet(model, result.Model);

        Assert.True(comparison.Labelled!.Accuracy!.Top1Drop <= 0.001, $"top-1 dropped {comparison.Labelled.Accuracy.Top1Drop:P2}");
        var graph = result.Model.Graph;
        Assert.Equal((int)TensorProto.Types.DataType.Float, graph.Input[0].Type.TensorType.ElemType);
        Assert.Equal((int)TensorProto.Types.DataType.Float, graph.Output[0].Type.TensorType.ElemType);
        Assert.DoesNotContain(graph.Initializer, i => i.DataType == (int)TensorProto.Types.DataType.Float);
        var path = temp.File("h.onnx");
        OnnxModelWriter.Save(result.Model, path, ModelSaveOptions.Default);
        var (exitCode, text) = DigitsQuantization.OnnxCheck(path);
        Assert.True(exitCode == 0, text);
    }

    [Fact]
    public void Blocked_op_types_stay_float32_between_casts()
    {
        var result = DigitsQuantization.Quantize("mlp.onnx", new QuantizationOptions { Mode = QuantizationMode.Fp16, Fp16BlockList = ["Gemm"] });

        var graph = result.Model.Graph;
        var fc1 = graph.Node.Single(n => n.Name == "/fc1/Gemm");
        Assert.Equal((int)TensorProto.Types.DataType.Float, graph.Initializer.Single(i => i.Name == fc1.Input[1]).DataType);
        Assert.False(result.Nodes.Single(n => n.Node == "/fc1/Gemm").Quantized);
        Assert.True(result.Nodes.Single(n => n.Node == "/Relu").Quantized);
        Assert.Contains(graph.Node, n => n.OpType == "Cast");
        var accuracy = DigitsQuantization.CompareOnTestSet("mlp.onnx", result.Model).Labelled!.Accuracy!;
        Assert.True(accuracy.Top1Drop <= 0.001);
    }

    [Fact]
    public void Fp16_io_option_makes_inputs_and_outputs_float16()
    {
        var result = DigitsQuantization.Quantize("mlp.onnx", new QuantizationOptions { Mode = QuantizationMode.Fp16, KeepIoTypes = false });

        Assert.Equal((int)TensorProto.Types.DataType.Float16, result.Model.Graph.Input[0].Type.TensorType.ElemType);
        Assert.Equal((int)TensorProto.Types.DataType.Float16, result.Model.Graph.Output[0].Type.TensorType.ElemType);
        Assert.DoesNotContain(result.Model.Graph.Node, n => n.OpType == "Cast");
        using var session = CompressBuild.Engine.Runtime.ModelSessions.Open(result.Model);
        Assert.Equal((int)TensorProto.Types.DataType.Float16, session.Inputs[0].ElementType);
    }
}
