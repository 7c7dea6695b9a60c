using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Dynamic;

public class DynamicQuantizerTests
{
    [Theory]
    [InlineData("mlp.onnx")]
    [InlineData("mlp_opset11_constants.onnx")]
    [InlineData("cnn_residual.onnx")]
    public void Int8_dynamic_keeps_top1_within_one_point(string model)
    {
        var result = DigitsQuantization.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Int8Dynamic });

        var accuracy = DigitsQuantization.CompareOnTestSet(model, result.Model).Labelled!.Accuracy!;

        Assert.True(accuracy.Top1Drop <= 0.01, $"top-1 dropped {accuracy.Top1Drop:P2}");
        Assert.All(result.Nodes.Where(n => n.OpType == "Gemm"), n => Assert.True(n.Quantized, n.Detail));
        Assert.DoesNotContain(result.Model.Graph.Node, n => n.OpType == "Gemm");
        Assert.Contains(result.Model.Graph.Node, n => n.OpType == "DynamicQuantizeMatMul" && n.Domain == "com.microsoft");
    }

    [Fact]
    public void Conv_becomes_ConvInteger_with_a_speed_advisory_and_keeps_top1()
    {
        var result = DigitsQuantization.Quantize("cnn_residual.onnx", new QuantizationOptions { Mode = QuantizationMode.Int8Dynamic });

        Assert.All(result.Nodes.Where(n => n.OpType == "Conv"), n => Assert.True(n.Quantized, n.Detail));
        Assert.DoesNotContain(result.Model.Graph.Node, n => n.OpType == "Conv");
        Assert.Contains(result.Model.Graph.Node, n => n.OpType == "ConvInteger");
        Assert.Contains(result.Advisories, a => a.Code == "CB4013");
        var accuracy = DigitsQuantization.CompareOnTestSet("cnn_residual.onnx", result.Model).Labelled!.Accuracy!;
        Assert.True(accuracy.Top1Drop <= 0.01, $"top-1 dropped {accuracy.Top1Drop:P2}");
    }

    [Fact]
    public void Int8_dynamic_mlp_is_at_least_3_5x_smaller_and_deterministic()
    {
        using var temp = new TempFolder();
        var first = DigitsQuantization.Bytes(DigitsQuantization.Quantize("mlp.onnx", new QuantizationOptions { Mode = QuantizationMode.Int8Dynamic }).Model, temp.File("a.onnx"));
        var second = DigitsQuantization.Bytes(DigitsQuantization.Quantize("mlp.onnx", new QuantizationOptions { Mode = QuantizationMode.Int8Dynamic }).Model, temp.File("b.onnx"));

        Assert.Equal(first, second);
        Assert.True(new FileInfo(DigitsQuantization.Path("mlp.onnx")).Length >= 3.5 * first.Length);
    }

    [Fact]
    public void Embedding_gather_reads_an_int8_table()
    {
        var model = TestModels.Empty();
        var table = Enumerable.Range(0, 40).Select(i => MathF.Sin(i)).ToArray();
        model.Graph.Initializer.Add(TensorData.FromArray<float>("table", [10, 4], table));
        model.Graph.Node.Add(TestModels.Node("Gather", ["table", "ids"], ["rows"]));
        model.Graph.Input.Add(TestModels.Tensor("ids", TensorProto.Types.DataType.Int64, 3));
        model.Graph.Output.Add(TestModels.Tensor("rows", TensorProto.Types.DataType.Float, 3, 4));

        var result = ModelQuantizer.Quantize(new OnnxModel(model, null), new QuantizationOptions { Mode = QuantizationMode.Int8Dynamic });

        using var session = ModelSessions.Open(result.Model);
        long[] ids = [0, 7, 9];
        var rows = session.Run([HostTensor.FromArray<long>("ids", [3], ids)])[0].AsSpan<float>().ToArray();
        var expected = ids.SelectMany(r => table.Skip((int)r * 4).Take(4)).ToArray();
        Assert.All(rows.Zip(expected), p => Assert.Equal(p.Second, p.First, 0.01f));
        var gather = result.Model.Graph.Node.Single(n => n.OpType == "Gather");
        Assert.Equal((int)TensorProto.Types.DataType.Int8, result.Model.Graph.Initializer.Single(i => i.Name == gather.Input[0]).DataType);
    }
}
