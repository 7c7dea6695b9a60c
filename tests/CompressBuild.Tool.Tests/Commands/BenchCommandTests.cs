using System.Text.Json;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tool.Tests.Commands;

public class BenchCommandTests
{
    private static string Digits(string name) => Path.Combine(RepositoryPaths.Digits, name);

    [Fact]
    public void Measures_random_inputs_with_a_chosen_batch()
    {
        var run = CliRun.Of("bench", Digits("mlp.onnx"), "--dim", "batch=8", "--iterations", "20", "--warmup", "2", "--threads", "1", "--json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var root = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal([8L, 64L], root.GetProperty("inputShapes")[0].GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        var latency = root.GetProperty("latency");
        Assert.Equal(20, latency.GetProperty("samples").GetInt32());
        Assert.True(latency.GetProperty("minMs").GetDouble() <= latency.GetProperty("medianMs").GetDouble());
        Assert.True(latency.GetProperty("medianMs").GetDouble() <= latency.GetProperty("p90Ms").GetDouble());
        Assert.True(latency.GetProperty("p90Ms").GetDouble() <= latency.GetProperty("p99Ms").GetDouble());
        Assert.True(root.GetProperty("throughputPerSecond").GetDouble() > 0);
    }

    [Theory]
    [InlineData("test_x_img.npy")]
    [InlineData("cnn_residual_test_data")]
    public void Feeds_real_data(string data)
    {
        var run = CliRun.Of("bench", Digits("cnn_residual.onnx"), "--data", Digits(data), "--iterations", "10", "--json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains(data, JsonDocument.Parse(run.Out).RootElement.GetProperty("inputs").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Data_of_the_wrong_shape_names_the_input_and_both_shapes()
    {
        var run = CliRun.Of("bench", Digits("cnn_residual.onnx"), "--data", Digits("test_x_flat.npy"));

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("error CB2011: input 'input' expects float32 [batch,1,8,8], the data gives float32 [64]", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--dim", "batch")]
    [InlineData("--dim", "batch=0")]
    [InlineData("--iterations", "0")]
    [InlineData("--threads", "-1")]
    public void Bad_arguments_are_exit_4(string option, string value)
    {
        var run = CliRun.Of("bench", Digits("mlp.onnx"), option, value);

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("CB2012", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_onnx_runtime_refuses_is_CB2008()
    {
        using var temp = new TempFolder();
        var model = TestModels.Empty();
        model.Graph.Node.Add(TestModels.Node("NoSuchOperator", ["x"], ["y"]));
        model.Graph.Input.Add(TestModels.Tensor("x", Engine.Onnx.Proto.TensorProto.Types.DataType.Float, 2));
        model.Graph.Output.Add(TestModels.Tensor("y", Engine.Onnx.Proto.TensorProto.Types.DataType.Float, 2));

        var run = CliRun.Of("bench", TestModels.Write(model, temp.File("odd.onnx")));

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("error CB2008", run.Error, StringComparison.Ordinal);
    }
}
