using System.Text.Json;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Testing;
using Google.Protobuf;
using Xunit;

namespace CompressBuild.Tool.Tests.Commands;

/// <summary>Degenerate and hostile inputs end in a documented code and exit code, never a crash, a hang or a false pass.</summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly TempFolder temp = new();

    public HostileInputTests()
    {
        File.Copy(Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), temp.File("mlp.onnx"));
        File.WriteAllBytes(temp.File("empty.npy"), NpyHeader("(0, 64)"));
    }

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("verify", "--no-latency")]
    [InlineData("verify")]
    [InlineData("bench")]
    [InlineData("prune")]
    public void Zero_samples_are_CB2016_never_a_pass(string command, params string[] extra)
    {
        string[] args = command switch
        {
            "verify" => ["verify", temp.File("mlp.onnx"), "--reference", temp.File("mlp.onnx"), "--data", temp.File("empty.npy"), .. extra],
            "bench" => ["bench", temp.File("mlp.onnx"), "--data", temp.File("empty.npy")],
            _ => ["prune", temp.File("mlp.onnx"), "-o", temp.File("p.onnx"), "--sparsity", "0.5", "--data", temp.File("empty.npy")],
        };

        var run = CliRun.Of(args);

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains($"{temp.File("empty.npy")}: error CB2016", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File("p.onnx")));
    }

    [Fact]
    public void A_nan_candidate_is_written_as_json_with_its_nan_metrics()
    {
        var model = OnnxModelReader.Load(temp.File("mlp.onnx"));
        var weight = model.Proto.Graph.Initializer.First(t => t.Dims.Count == 2);
        var values = TensorData.ToSingles(weight, model);
        Array.Fill(values, float.NaN);
        weight.ClearRawData();
        weight.FloatData.Clear();
        weight.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        OnnxModelWriter.Save(model, temp.File("nan.onnx"));

        var run = CliRun.Of("verify", temp.File("nan.onnx"), "--reference", temp.File("mlp.onnx"),
            "--data", Path.Combine(RepositoryPaths.Digits, "test_x_flat.npy"), "--limit", "20", "--no-latency", "--json", "--report-dir", temp.File("reports"));

        // Whether NaN outputs fail by default is the fidelity floor's business; here: the verdict is written, not a crash.
        Assert.Contains(run.ExitCode, new[] { ExitCodes.Ok, ExitCodes.BudgetMissed });
        Assert.DoesNotContain("unexpected failure", run.Error, StringComparison.Ordinal);
        var cosine = JsonDocument.Parse(run.Out).RootElement.GetProperty("outputs")[0].GetProperty("cosine");
        Assert.Equal("NaN", cosine.GetString());
        Assert.NotEmpty(Directory.GetFiles(temp.File("reports"), "*.json", SearchOption.AllDirectories));
    }

    [Fact]
    public void Inspect_of_a_graph_without_inputs_or_outputs_is_exit_0()
    {
        var model = TestModels.Empty();
        model.Graph.Initializer.Add(TensorData.FromArray<float>("c", [2], [1f, 2f]));
        TestModels.Write(model, temp.File("bare.onnx"));

        var run = CliRun.Of("inspect", temp.File("bare.onnx"));

        Assert.True(run.ExitCode == ExitCodes.Ok, run.Error);
    }

    [Fact]
    public void Int8_dynamic_on_a_gemm_with_one_input_or_an_empty_weight_does_not_crash()
    {
        var model = TestModels.Empty();
        model.Graph.Input.Add(TestModels.Tensor("x", TensorProto.Types.DataType.Float, 1, 64));
        model.Graph.Output.Add(TestModels.Tensor("y", TensorProto.Types.DataType.Float, 1, 0));
        model.Graph.Output.Add(TestModels.Tensor("z", TensorProto.Types.DataType.Float, 1, 64));
        model.Graph.Initializer.Add(TensorData.FromArray<float>("w", [64, 0], []));
        model.Graph.Node.Add(TestModels.Node("MatMul", ["x", "w"], ["y"]));
        model.Graph.Node.Add(TestModels.Node("Gemm", ["x"], ["z"]));
        TestModels.Write(model, temp.File("odd.onnx"));

        var run = CliRun.Of("quantize", temp.File("odd.onnx"), "-o", temp.File("q.onnx"), "--mode", "int8-dynamic");

        Assert.DoesNotContain("unexpected failure", run.Error, StringComparison.Ordinal);
        Assert.Contains(run.ExitCode, new[] { ExitCodes.Ok, ExitCodes.InvalidInput });
    }

    [Theory]
    [InlineData("raw_data", "CB2007")]
    [InlineData("no outputs", "CB2008")]
    [InlineData("unknown op", "CB2008")]
    public void A_model_ort_would_reject_is_exit_4_naming_the_file_never_CB3004(string damage, string code)
    {
        var model = TestModels.AddWeight(4);
        switch (damage)
        {
            case "raw_data":
                // 100 bytes for a 65,536-byte tensor: ONNX Runtime's own refusal came back as CB3004, exit 3.
                model.Graph.Initializer[0].Dims[0] = 16384;
                model.Graph.Initializer[0].RawData = ByteString.CopyFrom(new byte[100]);
                break;
            case "no outputs":
                model.Graph.Output.Clear();
                break;
            default:
                model.Graph.Node[0].OpType = "NoSuchOperator";
                break;
        }

        TestModels.Write(model, temp.File("bad.onnx"));

        var run = CliRun.Of("bench", temp.File("bad.onnx"), "--iterations", "1", "--warmup", "0");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains($"{temp.File("bad.onnx")}: error {code}", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("CB3004", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bench", "--threads", "100000")]
    [InlineData("bench", "--dim", "batch=1099511627776")]
    public async Task Absurd_resource_requests_are_refused_at_once(params string[] args)
    {
        var task = Task.Run(() => CliRun.Of([args[0], temp.File("mlp.onnx"), .. args[1..]]));

        Assert.Same(task, await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(60))));
        var run = await task;
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Matches("error CB20(12|18)", run.Error);
    }

    [Fact]
    public void A_nan_percentile_is_CB2102_as_in_compress_yaml()
    {
        var run = CliRun.Of("quantize", temp.File("mlp.onnx"), "-o", temp.File("q.onnx"), "--mode", "int8-static",
            "--calibration-data", Path.Combine(RepositoryPaths.Digits, "calib_x_flat.npy"), "--percentile", "NaN");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("error CB2102: --percentile: 'percentile' must be a number", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_on_a_device_is_CB2017_without_reading_it()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var task = Task.Run(() => CliRun.Of("run", "/dev/zero"));

        // A read of /dev/zero never ends, so any bound tells the refusal from a hang; a generous one leaves a loaded machine's thread pool time to start the task.
        Assert.Same(task, await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(60))));
        var run = await task;
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("/dev/zero: error CB2017", run.Error, StringComparison.Ordinal);
    }

    private static byte[] NpyHeader(string shape)
    {
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}";
        header = header.PadRight(118) + "\n";
        return [0x93, .. "NUMPY"u8, 1, 0, (byte)header.Length, 0, .. System.Text.Encoding.Latin1.GetBytes(header)];
    }
}
