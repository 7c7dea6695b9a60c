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
    [InlineData("test_x_img.npy", 497, 1)]
    [InlineData("cnn_residual_test_data", 1, 4)]
    public void Feeds_real_data(string data, int samplesInData, long batch)
    {
        // Random inputs would be one image; the timed tensors are the data's own: one digit per .npy sample, a batch
        // of four in the fixture's test_data_set, and the throughput counts that many images per run.
        var run = CliRun.Of("bench", Digits("cnn_residual.onnx"), "--data", Digits(data), "--samples", "16", "--iterations", "10", "--json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var root = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal($"{Digits(data)} ({Math.Min(16, samplesInData)} of {samplesInData} samples)", root.GetProperty("inputs").GetString());
        Assert.Equal([batch, 1L, 8L, 8L], Shape(root));
        var runsPerSecond = 1000 / root.GetProperty("latency").GetProperty("medianMs").GetDouble();
        Assert.Equal(batch * runsPerSecond, root.GetProperty("throughputPerSecond").GetDouble(), batch * runsPerSecond * 1e-6);
    }

    private static long[] Shape(JsonElement bench) =>
        bench.GetProperty("inputShapes")[0].GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();

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
