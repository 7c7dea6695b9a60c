using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tool.Tests.Commands;

public class InitCommandTests
{
    [Fact]
    public void Writes_a_config_that_loads_and_the_schema_beside_it()
    {
        using var temp = new TempFolder();
        var model = Path.Combine(RepositoryPaths.Digits, "mlp.onnx");
        var output = temp.File(Path.Combine("project", "compress.yaml"));

        var run = CliRun.Of("init", "--model", model, "-o", output,
            "--calibration-data", Path.Combine(RepositoryPaths.Digits, "calib_x_flat.npy"),
            "--data", Path.Combine(RepositoryPaths.Digits, "test_x_flat.npy"),
            "--labels", Path.Combine(RepositoryPaths.Digits, "test_labels.npy"));

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var config = CompressConfigLoader.Load(output);
        Assert.Equal(Path.GetFullPath(model), config.Models[0].Path);
        Assert.Equal("int8-static", config.Models[0].Passes[0].Settings.Text("mode"));
        Assert.Equal(ConfigJsonSchema.Generate(), File.ReadAllText(temp.File(Path.Combine("project", "compress.schema.json"))));
    }

    [Fact]
    public void Refuses_to_overwrite_without_force()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("compress.yaml"), "mine");
        var model = Path.Combine(RepositoryPaths.Digits, "mlp.onnx");

        var refused = CliRun.Of("init", "--model", model, "-o", temp.File("compress.yaml"));
        Assert.Equal("mine", File.ReadAllText(temp.File("compress.yaml")));
        var forced = CliRun.Of("init", "--model", model, "-o", temp.File("compress.yaml"), "--force", "--data", Path.Combine(RepositoryPaths.Digits, "test_x_flat.npy"));

        Assert.Equal(ExitCodes.InvalidInput, refused.ExitCode);
        Assert.Contains("error CB2015", refused.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, forced.ExitCode);
        Assert.StartsWith("# yaml-language-server", File.ReadAllText(temp.File("compress.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_data_init_writes_nothing_and_asks_for_data()
    {
        using var temp = new TempFolder();

        var run = CliRun.Of("init", "--model", Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), "-o", temp.File("compress.yaml"));

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("error CB2012", run.Error, StringComparison.Ordinal);
        Assert.Contains("--data", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File("compress.yaml")));
    }

    [Fact]
    public void The_config_init_writes_has_explicit_fidelity_budgets_and_run_accepts_it()
    {
        using var temp = new TempFolder();
        File.Copy(Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), temp.File("mlp.onnx"));
        File.Copy(Path.Combine(RepositoryPaths.Digits, "test_x_flat.npy"), temp.File("test.npy"));

        var init = CliRun.Of("init", "--model", temp.File("mlp.onnx"), "-o", temp.File("compress.yaml"), "--data", temp.File("test.npy"));
        var run = CliRun.Of("run", temp.File("compress.yaml"), "--cache-dir", temp.File("cache"));

        Assert.True(init.ExitCode == ExitCodes.Ok, init.Error);
        var yaml = File.ReadAllText(temp.File("compress.yaml"));
        Assert.Contains("min_agreement: 0.98", yaml, StringComparison.Ordinal);
        Assert.Contains("min_cosine: 0.99", yaml, StringComparison.Ordinal);
        Assert.Contains("min_sqnr: 20", yaml, StringComparison.Ordinal);
        Assert.True(run.ExitCode == ExitCodes.Ok, run.Out + run.Error);
        Assert.DoesNotContain("CB2104", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_model_is_CB2001()
    {
        using var temp = new TempFolder();

        var run = CliRun.Of("init", "--model", temp.File("nope.onnx"), "-o", temp.File("compress.yaml"), "--data", Path.Combine(RepositoryPaths.Digits, "test_x_flat.npy"));

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("error CB2001", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File("compress.yaml")));
    }
}
