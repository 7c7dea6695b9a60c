using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Calibration;

public class CalibrationInputTests
{
    /// <summary>y = Sqrt(x) x W: negative calibration inputs make the MatMul's activation NaN.</summary>
    private static OnnxModel SqrtMatMul()
    {
        var model = TestModels.Empty();
        model.Graph.Initializer.Add(TensorData.FromArray<float>("w", [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]));
        model.Graph.Node.Add(TestModels.Node("Sqrt", ["x"], ["root"]));
        model.Graph.Node.Add(TestModels.Node("MatMul", ["root", "w"], ["y"]));
        model.Graph.Input.Add(TestModels.Tensor("x", TensorProto.Types.DataType.Float, 1, 4));
        model.Graph.Output.Add(TestModels.Tensor("y", TensorProto.Types.DataType.Float, 1, 2));
        return new OnnxModel(model, null, "sqrt.onnx");
    }

    [Fact]
    public void Activations_that_turn_nan_on_the_calibration_data_are_CB2023_naming_them()
    {
        var data = new Dataset("negative.npy", 2, i => [HostTensor.FromArray<float>("x", [1, 4], [1, -1, 2, i])]);

        var error = Assert.Throws<CompressBuildException>(() => ModelQuantizer.Quantize(SqrtMatMul(), new QuantizationOptions { Mode = QuantizationMode.Int8Static }, data));

        Assert.Equal(DiagnosticCodes.CalibrationValuesNotFinite, error.Code);
        Assert.Contains("'root'", error.Message, StringComparison.Ordinal);
        Assert.Equal("negative.npy", error.File);
    }

    [Fact]
    public void Empty_calibration_data_is_CB2022()
    {
        var data = new Dataset("empty.npy", 0, _ => []);

        var error = Assert.Throws<CompressBuildException>(() => ModelQuantizer.Quantize(SqrtMatMul(), new QuantizationOptions { Mode = QuantizationMode.Int8Static }, data));

        Assert.Equal(DiagnosticCodes.CalibrationDataEmpty, error.Code);
    }

    [Fact]
    public void Good_data_quantizes_the_matmul_between_its_graph_input_and_a_weight()
    {
        var data = new Dataset("positive.npy", 3, i => [HostTensor.FromArray<float>("x", [1, 4], [1, 4, 9, i])]);

        var result = ModelQuantizer.Quantize(SqrtMatMul(), new QuantizationOptions { Mode = QuantizationMode.Int8Static }, data);

        Assert.True(result.Nodes.Single(n => n.OpType == "MatMul").Quantized);
        using var session = ModelSessions.Open(result.Model);
        var y = session.Run([HostTensor.FromArray<float>("x", [1, 4], [1, 4, 9, 0])])[0].AsSpan<float>().ToArray();
        // sqrt -> [1, 2, 3, 0]; x W = [1*1 + 2*3 + 3*5, 1*2 + 2*4 + 3*6] = [22, 28]
        Assert.Equal(22f, y[0], 0.5f);
        Assert.Equal(28f, y[1], 0.5f);
    }
}
