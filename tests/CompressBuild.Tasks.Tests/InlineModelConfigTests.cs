using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tasks.Tests;

public class InlineModelConfigTests
{
    [Theory]
    [InlineData("1", 0.01)]
    [InlineData("1%", 0.01)]
    [InlineData(" 0.5 % ", 0.005)]
    [InlineData("0", 0.0)]
    public void MaxAccuracyDrop_is_in_percentage_points_and_the_engine_reads_the_fraction(string metadata, double expected)
    {
        using var folder = new TempFolder();
        var config = Load(folder, new() { ["Quantize"] = "int8-dynamic", ["EvaluationData"] = "test_x_flat.npy", ["Labels"] = "test_labels.npy", ["MaxAccuracyDrop"] = metadata });

        var budgets = Assert.Single(config.Models).Budgets;
        Assert.NotNull(budgets);
        Assert.Equal(expected, budgets.Number("max_accuracy_drop")!.Value, 12);
    }

    [Fact]
    public void Every_inline_setting_reaches_the_engine_config_with_absolute_paths()
    {
        using var folder = new TempFolder("inline config ü");
        var config = Load(folder, new()
        {
            ["Prune"] = "Magnitude",
            ["Sparsity"] = "0.3",
            ["Quantize"] = "int8-static",
            ["CalibrationData"] = "calib_x_flat.npy",
            ["EvaluationData"] = "test_x_flat.npy",
            ["Labels"] = "test_labels.npy",
            ["MinSpeedup"] = "1.2",
            ["MaxSizeMB"] = "3",
            ["Search"] = "off",
        });

        var model = Assert.Single(config.Models);
        Assert.Equal("mlp", model.Name);
        Assert.Equal(folder.File("mlp.onnx"), model.Path);
        Assert.Equal(["prune", "quantize"], model.Passes.Select(p => p.Kind));
        Assert.Equal("magnitude", model.Passes[0].Settings.Text("method"));
        Assert.Equal(0.3, model.Passes[0].Settings.Number("sparsity"));
        Assert.Equal("int8-static", model.Passes[1].Settings.Text("mode"));
        Assert.Equal(folder.File("test_x_flat.npy"), model.Evaluation!.Text("data"));
        Assert.Equal(folder.File("test_labels.npy"), model.Evaluation!.Text("labels"));
        Assert.Equal(1.2, model.Budgets!.Number("min_speedup"));
        Assert.Equal(3, model.Budgets!.Number("max_size_mb"));
    }

    [Fact]
    public void The_same_metadata_gives_the_same_text()
    {
        using var folder = new TempFolder();
        var metadata = new Dictionary<string, string> { ["Quantize"] = "fp16", ["MaxSizeMB"] = "1.50" };

        var first = Build(folder, metadata, []);
        var second = Build(folder, metadata, []);

        Assert.Equal(first, second);
        Assert.Contains("max_size_mb: 1.5\n", first, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sparsity", "abc", "CB2112")]
    [InlineData("Sparsity", "1", "CB2112")]
    [InlineData("MaxAccuracyDrop", "150%", "CB2112")]
    [InlineData("MinSpeedup", "0", "CB2112")]
    [InlineData("Quantize", "int3", "CB2111")]
    [InlineData("Search", "sometimes", "CB2111")]
    [InlineData("EvaluationData", "missing.npy", "CB2113")]
    public void Invalid_metadata_is_an_error_naming_the_metadata_and_the_value(string name, string value, string code)
    {
        using var folder = new TempFolder();
        var errors = new List<MetadataError>();
        var metadata = new Dictionary<string, string> { ["Quantize"] = "int8-dynamic", ["Prune"] = "magnitude", [name] = value };

        Assert.Null(Build(folder, metadata, errors));

        var error = Assert.Single(errors);
        Assert.Equal(code, error.Code);
        Assert.Equal(name, error.Metadata);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_item_without_quantize_or_prune_says_what_to_set()
    {
        using var folder = new TempFolder();
        var errors = new List<MetadataError>();

        Assert.Null(Build(folder, new() { ["MaxAccuracyDrop"] = "1" }, errors));

        var error = Assert.Single(errors);
        Assert.Equal("CB2110", error.Code);
        Assert.Contains("Config=", error.Message, StringComparison.Ordinal);
        Assert.Contains("int8-static", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_quoting_keeps_backslashes_and_quotes()
    {
        Assert.Equal("\"C:\\\\a \\\"b\\\"\"", InlineModelConfig.Quote("C:\\a \"b\""));
    }

    private static string? Build(TempFolder folder, Dictionary<string, string> metadata, List<MetadataError> errors)
    {
        foreach (var file in new[] { "mlp.onnx", "calib_x_flat.npy", "test_x_flat.npy", "test_labels.npy" })
        {
            File.Copy(Path.Combine(RepositoryPaths.Digits, file), folder.File(file), overwrite: true);
        }

        return InlineModelConfig.Build(folder.File("mlp.onnx"), n => metadata.TryGetValue(n, out var v) ? v : "", folder.Path, folder.File("app.csproj") + "(7,5)", errors);
    }

    private static CompressConfig Load(TempFolder folder, Dictionary<string, string> metadata)
    {
        var errors = new List<MetadataError>();
        var yaml = Build(folder, metadata, errors);
        Assert.Empty(errors);
        var path = folder.File("generated.compress.yaml");
        Assert.True(FileUpdate.WriteIfChanged(path, yaml!));
        Assert.False(FileUpdate.WriteIfChanged(path, yaml!));
        return CompressConfigLoader.Load(path);
    }
}
