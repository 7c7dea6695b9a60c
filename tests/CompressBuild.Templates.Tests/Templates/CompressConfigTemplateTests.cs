using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Engine.Pipeline.Passes;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Templates.Tests.Templates;

/// <summary><c>dotnet new compress-config</c>: what it writes must load with the engine, with the options given.</summary>
public class CompressConfigTemplateTests(InstalledTemplates templates) : IClassFixture<InstalledTemplates>
{
    [Fact]
    public void The_default_config_loads_with_the_engine_as_int8_static_with_its_budgets()
    {
        var folder = templates.Instantiate("compress-config");
        Place(folder, "Models/model.onnx", "Data/calibration.npy", "Data/test.npy", "Data/test_labels.npy");

        var config = CompressConfigLoader.Load(Path.Combine(folder, "compress.yaml"));

        var model = Assert.Single(config.Models);
        Assert.Equal(Path.Combine(folder, "Models", "model.onnx"), model.Path);
        var pass = Assert.Single(model.Passes);
        Assert.Same(PassRegistry.Quantize, pass.Pass);
        Assert.Equal("int8-static", pass.Settings.Text("mode"));
        Assert.Equal(Path.Combine(folder, "Data", "calibration.npy"), pass.Settings.Section("calibration")!.Text("data"));
        Assert.Equal(Path.Combine(folder, "Data", "test_labels.npy"), model.Evaluation!.Text("labels"));
        Assert.Equal(0.01, model.Budgets!.Number("max_accuracy_drop"));
        Assert.Equal(0.99, model.Budgets.Number("min_cosine"));
        Assert.Equal(2.0, model.Budgets.Number("min_size_ratio"));
        Assert.Equal("auto", model.Search!.Text("mode"));
    }

    [Theory]
    [InlineData("int8-dynamic")]
    [InlineData("int4-weight")]
    [InlineData("int8-weight")]
    [InlineData("fp16")]
    public void Every_mode_and_budget_option_lands_in_a_config_that_loads(string mode)
    {
        var folder = templates.Instantiate("compress-config", "--mode", mode, "--model", "my models/net #1.onnx",
            "--evaluation-data", "held out/x.npy", "--labels", "held out/y.npy",
            "--max-accuracy-drop", "0.025", "--min-cosine", "0.95", "--min-size-ratio", "3.5");
        Place(folder, "my models/net #1.onnx", null, "held out/x.npy", "held out/y.npy");

        var model = Assert.Single(CompressConfigLoader.Load(Path.Combine(folder, "compress.yaml")).Models);

        Assert.Equal(Path.Combine(folder, "my models", "net #1.onnx"), model.Path);
        Assert.Equal(mode, Assert.Single(model.Passes).Settings.Text("mode"));
        Assert.Null(model.Passes[0].Settings.Section("calibration"));
        Assert.Equal(Path.Combine(folder, "held out", "x.npy"), model.Evaluation!.Text("data"));
        Assert.Equal(0.025, model.Budgets!.Number("max_accuracy_drop"));
        Assert.Equal(0.95, model.Budgets.Number("min_cosine"));
        Assert.Equal(3.5, model.Budgets.Number("min_size_ratio"));
    }

    [Fact]
    public void The_schema_beside_it_is_the_one_the_engine_generates_and_the_yaml_names_it()
    {
        var folder = templates.Instantiate("compress-config");

        Assert.Equal(ConfigJsonSchema.Generate(), File.ReadAllText(Path.Combine(folder, ConfigJsonSchema.FileName)));
        Assert.StartsWith("# yaml-language-server: $schema=compress.schema.json\n", File.ReadAllText(Path.Combine(folder, "compress.yaml")), StringComparison.Ordinal);
        Assert.Equal(["compress.schema.json", "compress.yaml"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_config_whose_files_are_missing_is_refused_with_CB2105_not_silently_accepted()
    {
        var folder = templates.Instantiate("compress-config");

        var error = Assert.Throws<CompressBuild.Engine.Diagnostics.CompressBuildException>(() => CompressConfigLoader.Load(Path.Combine(folder, "compress.yaml")));

        Assert.Equal("CB2105", error.Code.Id);
    }

    /// <summary>Real fixture files at the paths the config names (the loader checks that they exist).</summary>
    private static void Place(string folder, string model, string? calibration, string evaluation, string labels)
    {
        Copy("mlp.onnx", Path.Combine(folder, model));
        if (calibration is not null)
        {
            Copy("calib_x_flat.npy", Path.Combine(folder, calibration));
        }

        Copy("test_x_flat.npy", Path.Combine(folder, evaluation));
        Copy("test_labels.npy", Path.Combine(folder, labels));
    }

    private static void Copy(string fixture, string destination)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.Copy(Path.Combine(RepositoryPaths.Digits, fixture), destination);
    }
}
