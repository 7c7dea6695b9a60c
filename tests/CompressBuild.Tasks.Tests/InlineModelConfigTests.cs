using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tasks.Tests;

public class InlineModelConfigTests
{
    [Theory]
    [InlineData("0.01", 0.01)]
    [InlineData("1%", 0.01)]
    [InlineData(" 0.5 % ", 0.005)]
    [InlineData("0", 0.0)]
    public void MaxAccuracyDrop_is_the_compress_yaml_fraction_or_a_percentage(string metadata, double expected)
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
        Assert.Equal(["prune", "quantize"], model.Passes.Select(p => p.Pass.Name));
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
        Assert.Contains("max_size_mb: 1.5  # <- MaxSizeMB (7,30)\n", first, StringComparison.Ordinal);
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

        Assert.Null(Build(folder, new() { ["MaxAccuracyDrop"] = "1%" }, errors));

        var error = Assert.Single(errors);
        Assert.Equal("CB2110", error.Code);
        Assert.Contains("Config=", error.Message, StringComparison.Ordinal);
        Assert.Contains("int8-static", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    public void A_bare_MaxAccuracyDrop_of_one_or_more_is_refused_as_percentage_points(string value)
    {
        using var folder = new TempFolder();
        var errors = new List<MetadataError>();

        Assert.Null(Build(folder, new() { ["Quantize"] = "int8-dynamic", ["MaxAccuracyDrop"] = value }, errors));

        var error = Assert.Single(errors);
        Assert.Equal("CB2112", error.Code);
        Assert.Contains(value + "%", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fidelity_budgets_and_tolerances_reach_the_engine_budgets()
    {
        using var folder = new TempFolder();
        var config = Load(folder, new()
        {
            ["Quantize"] = "fp16",
            ["EvaluationData"] = "test_x_flat.npy",
            ["MinCosine"] = "0.995",
            ["MinSqnr"] = "25",
            ["MinAgreement"] = "99%",
            ["MinSizeRatio"] = "1.8",
            ["MaxLatencyMs"] = "4.5",
            ["SpeedupTolerance"] = "5%",
            ["BaselineSizeTolerance"] = "0.02",
        });

        var budgets = Assert.Single(config.Models).Budgets!;
        Assert.Equal(0.995, budgets.Number("min_cosine"));
        Assert.Equal(25, budgets.Number("min_sqnr"));
        Assert.Equal(0.99, budgets.Number("min_agreement")!.Value, 12);
        Assert.Equal(1.8, budgets.Number("min_size_ratio"));
        Assert.Equal(4.5, budgets.Number("max_latency_ms"));
        Assert.Equal(0.05, budgets.Number("speedup_tolerance")!.Value, 12);
        Assert.Equal(0.02, budgets.Number("baseline_size_tolerance"));
    }

    [Fact]
    public void Channel_pruning_gets_its_importance_round_to_and_the_calibration_data()
    {
        using var folder = new TempFolder();
        var config = Load(folder, new()
        {
            ["Prune"] = "channel",
            ["Sparsity"] = "25%",
            ["PruneImportance"] = "activation",
            ["PruneRoundTo"] = "8",
            ["CalibrationData"] = "calib_x_flat.npy",
            ["CalibrationSamples"] = "64",
            ["EvaluationData"] = "test_x_flat.npy",
            ["SearchTimeout"] = "90s",
        });

        var model = Assert.Single(config.Models);
        var prune = Assert.Single(model.Passes).Settings;
        Assert.Equal(0.25, prune.Number("sparsity"));
        Assert.Equal("activation", prune.Text("importance"));
        Assert.Equal(8, prune.WholeNumber("round_to"));
        Assert.Equal(folder.File("calib_x_flat.npy"), prune.Section("calibration")!.Text("data"));
        Assert.Equal(64, prune.Section("calibration")!.WholeNumber("samples"));
        Assert.Equal(TimeSpan.FromSeconds(90), model.Search!.Duration("timeout"));
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("Auto")]
    public void PruneRoundTo_takes_auto_in_place_of_a_number(string value)
    {
        using var folder = new TempFolder();
        var config = Load(folder, new() { ["Prune"] = "channel", ["Sparsity"] = "25%", ["PruneRoundTo"] = value, ["CalibrationData"] = "calib_x_flat.npy" });

        var prune = Assert.Single(Assert.Single(config.Models).Passes).Settings;
        Assert.Equal("auto", prune.Text("round_to"));
        Assert.Null(prune.WholeNumber("round_to"));
    }

    [Fact]
    public void A_PruneRoundTo_that_is_neither_a_number_nor_auto_names_both()
    {
        using var folder = new TempFolder();
        var errors = new List<MetadataError>();

        Assert.Null(Build(folder, new() { ["Prune"] = "channel", ["PruneRoundTo"] = "fast" }, errors));

        var error = Assert.Single(errors);
        Assert.Equal("CB2112", error.Code);
        Assert.Contains("a whole number", error.Message, StringComparison.Ordinal);
        Assert.Contains("or auto", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quantize_options_and_the_calibration_method_reach_the_quantize_pass()
    {
        using var folder = new TempFolder();
        var config = Load(folder, new()
        {
            ["Quantize"] = "int8-static",
            ["CalibrationData"] = "calib_x_flat.npy",
            ["CalibrationMethod"] = "Percentile",
            ["CalibrationPercentile"] = "99.99",
            ["QuantizeExcludeOpTypes"] = "Gemm;Softmax",
            ["QuantizePerTensor"] = "True",
            ["EvaluationData"] = "test_x_flat.npy",
        });

        var quantize = Assert.Single(Assert.Single(config.Models).Passes).Settings;
        Assert.Equal("percentile", quantize.Section("calibration")!.Text("method"));
        Assert.Equal(99.99, quantize.Section("calibration")!.Number("percentile"));
        Assert.Equal(["Gemm", "Softmax"], quantize.List("exclude_op_types"));
        Assert.True(quantize.Boolean("per_tensor"));
    }

    [Theory]
    [InlineData("PruneImportance", "l1", "Prune")]
    [InlineData("Labels", "test_labels.npy", "EvaluationData")]
    [InlineData("CalibrationMethod", "minmax", "CalibrationData")]
    public void A_metadata_without_what_it_belongs_to_is_an_error_naming_both(string name, string value, string needs)
    {
        using var folder = new TempFolder();
        var errors = new List<MetadataError>();

        Assert.Null(Build(folder, new() { ["Quantize"] = "int8-dynamic", [name] = value }, errors));

        var error = Assert.Single(errors);
        Assert.Equal("CB2117", error.Code);
        Assert.Equal(name, error.Metadata);
        Assert.Contains(needs, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_generated_line_names_the_attribute_it_came_from()
    {
        using var folder = new TempFolder();
        var metadata = new Dictionary<string, string> { ["Quantize"] = "fp16", ["EvaluationData"] = "test_x_flat.npy", ["MinCosine"] = "0.99" };
        var path = folder.File("generated.compress.yaml");
        File.WriteAllText(path, Build(folder, metadata, [])!);

        var map = GeneratedConfigMap.Read(path);
        var lines = File.ReadAllLines(path);
        var cosine = Array.FindIndex(lines, l => l.TrimStart().StartsWith("min_cosine:", StringComparison.Ordinal)) + 1;

        Assert.Equal(("MinCosine", 7, 40), map[cosine]);
        Assert.Equal(3, map.Count);
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

        return InlineModelConfig.Build(folder.File("mlp.onnx"), n => metadata.TryGetValue(n, out var v) ? v : "", folder.Path, Location(folder, metadata.Keys), errors);
    }

    /// <summary>The item at app.csproj(7,5), each metadata written on line 7 at column 20 + 10 x its index.</summary>
    private static ItemLocation Location(TempFolder folder, IEnumerable<string> names)
    {
        var location = new ItemLocation(folder.File("app.csproj"), 7, 5);
        var column = 20;
        foreach (var name in names)
        {
            location.Metadata[name] = new ItemLocation(location.File, 7, column);
            column += 10;
        }

        return location;
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
