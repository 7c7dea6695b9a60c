using System.Text.Json;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tool.Tests.Commands;

public class PruneCommandTests
{
    private static string Digits(string name) => Path.Combine(RepositoryPaths.Digits, name);

    [Fact]
    public void Channel_pruning_writes_a_smaller_model_and_reports_layers_groups_and_accuracy_as_json()
    {
        using var temp = new TempFolder();
        var output = temp.File("pruned.onnx");

        var run = CliRun.Of("prune", Digits("mlp.onnx"), "-o", output, "--method", "channel", "--sparsity", "0.5",
            "--data", Digits("test_x_flat.npy"), "--labels", Digits("test_labels.npy"), "--json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var root = JsonDocument.Parse(run.Out).RootElement;
        Assert.True(root.GetProperty("parametersAfter").GetInt64() < root.GetProperty("parametersBefore").GetInt64());
        var fc1 = root.GetProperty("layers").EnumerateArray().First(l => l.GetProperty("weight").GetString() == "fc1.weight");
        Assert.Equal([256L, 64L], fc1.GetProperty("shapeBefore").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([128L, 64L], fc1.GetProperty("shapeAfter").EnumerateArray().Select(e => e.GetInt64()));
        var accuracy = root.GetProperty("comparison").GetProperty("outputs")[0].GetProperty("accuracy");
        Assert.True(accuracy.GetProperty("candidateTop1").GetDouble() > 0.5);
        Assert.Contains(root.GetProperty("advisories").EnumerateArray(), a => a.GetProperty("code").GetString() == "CB4032");
        Assert.Contains("warning CB4032", run.Error, StringComparison.Ordinal);
        Assert.Equal("channel", root.GetProperty("method").GetString());
        Assert.Equal(output, root.GetProperty("output").GetString());
        Assert.Equal(0.5, root.GetProperty("requestedSparsity").GetDouble());
        Assert.InRange(root.GetProperty("measuredSparsity").GetDouble(), 0.3, 0.7);
        Assert.True(root.GetProperty("zipBytesAfter").GetInt64() < root.GetProperty("zipBytesBefore").GetInt64());
        Assert.Equal(JsonValueKind.String, root.GetProperty("model").ValueKind);
        Assert.False(root.TryGetProperty("reconstruction", out _));
        Assert.Equal(new long[] { 128, 64 }, OnnxModelReader.Load(output).Graph.Initializer.Single(t => t.Name == "fc1.weight").Dims);
    }

    [Fact]
    public void Allocation_latency_writes_its_table_then_reads_it_and_prints_and_reports_what_it_spent()
    {
        using var temp = new TempFolder();
        var table = temp.File("latency.json");
        string[] args = ["prune", Digits("cnn_residual.onnx"), "-o", temp.File("p.onnx"), "--method", "channel", "--sparsity", "0.25",
            "--calibration-data", Digits("calib_x_img.npy"), "--allocation", "latency", "--latency-table", table];

        var text = CliRun.Of(args);
        var json = CliRun.Of([.. args, "--json"]);

        Assert.Equal((ExitCodes.Ok, ExitCodes.Ok), (text.ExitCode, json.ExitCode));
        Assert.Contains("Latency     table of 4 channel group(s)", text.Out, StringComparison.Ordinal);
        Assert.Contains($"written to {table}", text.Out, StringComparison.Ordinal);
        var latency = JsonDocument.Parse(json.Out).RootElement.GetProperty("latency");
        Assert.Equal(("file", table), (latency.GetProperty("source").GetString(), latency.GetProperty("path").GetString()));
        Assert.True(latency.GetProperty("plannedMs").GetDouble() >= latency.GetProperty("budgetMs").GetDouble());
        Assert.True(latency.GetProperty("table").GetProperty("modelMs").GetDouble() > 0);
        Assert.NotEmpty(latency.GetProperty("table").GetProperty("groups").EnumerateArray());
    }

    [Fact]
    public void Channel_pruning_rounds_automatically_by_default_and_prints_and_reports_the_choice_its_reason_and_the_measured_times()
    {
        using var temp = new TempFolder();
        string[] args = ["prune", Digits("cnn_residual.onnx"), "-o", temp.File("p.onnx"), "--method", "channel", "--sparsity", "0.2"];

        var json = CliRun.Of([.. args, "--json"]);
        var text = CliRun.Of(args);

        Assert.Equal(ExitCodes.Ok, json.ExitCode);
        var roundTo = JsonDocument.Parse(json.Out).RootElement.GetProperty("roundTo");
        // Its groups have 16 and 32 channels: 20% keeps 13 and 26 at round_to 1, which either NCHWc block (16 with AVX-512, 8 with AVX2
        // only: the CI machine's CPU may be either) rounds back up to all of them, removing nothing. (25% kept 24 of 32, a multiple of 8.)
        Assert.Equal(1, roundTo.GetProperty("chosen").GetInt32());
        Assert.Equal(CpuFeatures.NchwcBlock, roundTo.GetProperty("block").GetInt32());
        Assert.Equal(0, roundTo.GetProperty("removedAtBlock").GetDouble());
        Assert.True(roundTo.GetProperty("removedAtOne").GetDouble() > 0);
        if (CpuFeatures.NchwcBlock > 1)
        {
            Assert.Contains("only 0% of the multiply-adds", roundTo.GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.True(roundTo.GetProperty("measuredOneMs").GetDouble() > 0);
            Assert.True(roundTo.GetProperty("measuredBlockMs").GetDouble() > 0);
            Assert.Contains("ms (median ratio", text.Out, StringComparison.Ordinal);
        }

        Assert.Equal(ExitCodes.Ok, text.ExitCode);
        Assert.Contains("round-to auto: 1", text.Out, StringComparison.Ordinal);
        Assert.Contains("Round-to    1: ", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Unstructured_pruning_prints_per_layer_sparsity_zip_size_and_the_no_speedup_advisory()
    {
        using var temp = new TempFolder();

        var run = CliRun.Of("prune", Digits("mlp_opset11_constants.onnx"), "-o", temp.File("p.onnx"), "--method", "magnitude", "--sparsity", "0.7", "--scope", "layer");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("fc2.weight", run.Out, StringComparison.Ordinal);
        Assert.Contains("70.00%", run.Out, StringComparison.Ordinal);
        Assert.Contains("Zip size", run.Out, StringComparison.Ordinal);
        Assert.Contains("warning CB4031", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CB2103", "--sparsity", "1.5")]
    [InlineData("CB2041", "--method", "nm", "--pattern", "5:4")]
    [InlineData("CB2042", "--method", "block", "--block", "4by4")]
    [InlineData("CB2043", "--method", "channel", "--importance", "activation")]
    [InlineData("CB2044", "--exclude-op-types", "Softmax2")]
    [InlineData("CB2103", "--method", "sparse")]
    public void Bad_options_fail_with_their_code_exit_4_and_write_nothing(string code, params string[] options)
    {
        using var temp = new TempFolder();
        var output = temp.File("p.onnx");

        var run = CliRun.Of(["prune", Digits("mlp.onnx"), "-o", output, .. options]);

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains($"error {code}", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Excluding_every_prunable_op_is_an_advisory_not_an_error()
    {
        using var temp = new TempFolder();

        var run = CliRun.Of("prune", Digits("cnn_residual.onnx"), "-o", temp.File("p.onnx"), "--exclude-op-types", "Conv,Gemm", "--json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("warning CB4030", run.Error, StringComparison.Ordinal);
        Assert.Equal("CB4030", JsonDocument.Parse(run.Out).RootElement.GetProperty("advisories")[0].GetProperty("code").GetString());
    }
}
