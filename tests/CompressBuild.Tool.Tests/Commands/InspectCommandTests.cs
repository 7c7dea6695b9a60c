using System.Text.Json;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tool.Tests.Commands;

public class InspectCommandTests
{
    [Fact]
    public void Json_report_describes_the_residual_cnn()
    {
        var run = CliRun.Of("inspect", Path.Combine(RepositoryPaths.Digits, "cnn_residual.onnx"), "--json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        var input = root.GetProperty("inputs")[0];
        Assert.Equal("input", input.GetProperty("name").GetString());
        Assert.Equal("tensor(float32)", input.GetProperty("type").GetString());
        Assert.Equal(["batch", "1", "8", "8"], input.GetProperty("shape").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(16, root.GetProperty("nodeCount").GetInt32());
        var ops = root.GetProperty("opTypes").EnumerateArray().ToDictionary(e => e.GetProperty("opType").GetString()!, e => e.GetProperty("count").GetInt32());
        Assert.Equal(6, ops["Conv"]);
        Assert.Equal(2, ops["Add"]);
        Assert.Equal("ai.onnx", root.GetProperty("opsets")[0].GetProperty("domain").GetString());
        var largest = root.GetProperty("largestTensors").EnumerateArray().Select(e => e.GetProperty("bytes").GetInt64()).ToList();
        Assert.Equal(10, largest.Count);
        Assert.Equal(largest.OrderByDescending(b => b), largest);
    }

    [Fact]
    public void Counts_parameters_held_in_constant_nodes_the_same_as_initializers()
    {
        var fromInitializers = JsonDocument.Parse(CliRun.Of("inspect", Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), "--json").Out).RootElement;
        var fromConstants = JsonDocument.Parse(CliRun.Of("inspect", Path.Combine(RepositoryPaths.Digits, "mlp_opset11_constants.onnx"), "--json").Out).RootElement;

        Assert.Equal(64 * 256 + 256 + (256 * 128) + 128 + (128 * 10) + 10, fromInitializers.GetProperty("parameterCount").GetInt64());
        Assert.Equal(fromInitializers.GetProperty("parameterCount").GetInt64(), fromConstants.GetProperty("parameterCount").GetInt64());
        Assert.Equal(11, fromConstants.GetProperty("opsets")[0].GetProperty("version").GetInt64());
    }

    [Fact]
    public void Text_report_names_the_sections()
    {
        var run = CliRun.Of("inspect", Path.Combine(RepositoryPaths.Digits, "mlp.onnx"));

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        foreach (var section in new[] { "IR version", "Opsets", "Inputs", "Outputs", "Nodes", "Parameters", "Weight zeros", "Largest tensors", "External data" })
        {
            Assert.Contains(section, run.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Reports_the_external_data_files_and_the_zero_share()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRun.Of("convert", Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), "-o", temp.File("m.onnx"), "--external-data").ExitCode);

        var root = JsonDocument.Parse(CliRun.Of("inspect", temp.File("m.onnx"), "--json").Out).RootElement;

        var file = root.GetProperty("externalFiles")[0];
        Assert.Equal("m.onnx.data", file.GetProperty("location").GetString());
        Assert.Equal(new FileInfo(temp.File("m.onnx.data")).Length, file.GetProperty("bytes").GetInt64());
        Assert.Equal(0.0, root.GetProperty("weightZeroFraction").GetDouble());
    }

    [Fact]
    public void A_missing_model_is_exit_4_with_CB2001()
    {
        var run = CliRun.Of("inspect", "no/such/model.onnx");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Equal("no/such/model.onnx: error CB2001: model file not found.", run.Error.Trim());
    }
}
