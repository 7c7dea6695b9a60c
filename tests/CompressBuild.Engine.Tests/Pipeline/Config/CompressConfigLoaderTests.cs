using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Config;

public sealed class CompressConfigLoaderTests : IDisposable
{
    private readonly TempFolder temp = new();

    public CompressConfigLoaderTests()
    {
        File.Copy(Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), temp.File("mlp.onnx"));
        File.Copy(Path.Combine(RepositoryPaths.Digits, "calib_x_flat.npy"), temp.File("calib.npy"));
        File.Copy(Path.Combine(RepositoryPaths.Digits, "test_x_flat.npy"), temp.File("test.npy"));
        File.Copy(Path.Combine(RepositoryPaths.Digits, "test_labels.npy"), temp.File("labels.npy"));
    }

    public void Dispose() => temp.Dispose();

    [Fact]
    public void The_documented_example_loads_with_paths_resolved_against_the_file()
    {
        var config = Load("""
            version: 1
            baseline: compress.baseline.json
            models:
              - path: mlp.onnx
                output: out/mlp.onnx
                passes:
                  - prune: { method: channel, sparsity: 0.25, importance: l2, round_to: 8 }
                  - quantize: { mode: int8-static, calibration: { data: calib.npy, method: percentile } }
                evaluation:
                  data: test.npy
                  labels: labels.npy
                budgets:
                  max_accuracy_drop: 0.01
                  min_speedup: 1.2
                  max_size_mb: 5
                search: auto
            """);

        Assert.Equal(1, config.Version);
        Assert.Equal(temp.File("compress.baseline.json"), config.Baseline);
        var model = Assert.Single(config.Models);
        Assert.Equal("mlp", model.Name);
        Assert.Equal(temp.File("mlp.onnx"), model.Path);
        Assert.Equal(temp.File(Path.Combine("out", "mlp.onnx")), model.Output);
        Assert.Equal(["prune", "quantize"], model.Passes.Select(p => p.Pass.Name));
        Assert.Equal(0.25, model.Passes[0].Settings.Number("sparsity"));
        Assert.Equal(8, model.Passes[0].Settings.WholeNumber("round_to"));
        Assert.Equal(temp.File("calib.npy"), model.Passes[1].Settings.Section("calibration")!.Text("data"));
        Assert.Equal(0.01, model.Budgets!.Number("max_accuracy_drop"));
        Assert.Equal("auto", model.Search!.Text("mode"));
        Assert.Equal(temp.File("labels.npy"), model.Evaluation!.Text("labels"));
    }

    [Fact]
    public void An_unknown_key_points_at_its_line_and_column_and_suggests_the_right_one()
    {
        var error = Error("""
            version: 1
            models:
              - path: mlp.onnx
                passes: [{ quantize: { mode: fp16 } }]
                budgets:
                  min_cosinee: 0.99
            """);

        Assert.Equal(DiagnosticCodes.ConfigUnknownKey, error.Code);
        Assert.Equal((6, 7), (error.Line, error.Column));
        Assert.Contains("unknown key 'min_cosinee'", error.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'min_cosine'?", error.Message, StringComparison.Ordinal);
        Assert.StartsWith(temp.File("compress.yaml") + "(6,7): error CB2101: ", error.ToCanonicalString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sparsity: lots", ConfigCodeNumbers.WrongType, "'sparsity' must be a number; got 'lots'")]
    [InlineData("sparsity: \"0.5\"", ConfigCodeNumbers.WrongType, "'sparsity' must be a number")]
    [InlineData("sparsity: 1.0", ConfigCodeNumbers.InvalidValue, "'sparsity' must be >= 0 and < 1; got 1")]
    [InlineData("sparsity: -0.1", ConfigCodeNumbers.InvalidValue, "'sparsity' must be >= 0 and < 1; got -0.1")]
    [InlineData("round_to: 2.5", ConfigCodeNumbers.WrongType, "'round_to' must be a whole number")]
    [InlineData("importance: l3", ConfigCodeNumbers.InvalidValue, "'importance' must be one of l1, l2, bn-scale, activation; got 'l3' (did you mean 'l1'?)")]
    [InlineData("exclude_nodes: { a: 1 }", ConfigCodeNumbers.WrongType, "'exclude_nodes' must be text; got a mapping")]
    public void Wrong_types_and_out_of_range_values_are_errors_at_the_value(string setting, int code, string message)
    {
        var error = Error($"""
            version: 1
            models:
              - path: mlp.onnx
                passes:
                  - prune:
                      method: channel
                      {setting}
            """);

        Assert.Equal(code, error.Code.Number);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(7, error.Line);
        Assert.True(error.Column > 11, $"column {error.Column} should point at the value");
    }

    [Fact]
    public void A_missing_required_key_names_it()
    {
        var error = Error("""
            version: 1
            models:
              - path: mlp.onnx
            """);

        Assert.Equal(DiagnosticCodes.ConfigMissingKey, error.Code);
        Assert.Contains("needs 'passes'", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void A_missing_file_is_reported_at_its_path_value()
    {
        var error = Error("""
            version: 1
            models:
              - path: mlp.onnx
                passes: [{ quantize: { mode: int8-static, calibration: missing.npy } }]
            """);

        Assert.Equal(DiagnosticCodes.ConfigFileNotFound, error.Code);
        Assert.Contains("'missing.npy' does not exist", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, error.Line);
    }

    [Fact]
    public void An_unknown_pass_and_a_bare_scalar_pass_are_errors()
    {
        var unknown = Error("""
            version: 1
            models:
              - path: mlp.onnx
                passes: [{ quantise: { mode: fp16 } }]
            """);
        var scalar = Error("""
            version: 1
            models:
              - path: mlp.onnx
                passes: [quantize]
            """);

        Assert.Equal(DiagnosticCodes.ConfigUnknownKey, unknown.Code);
        Assert.Contains("did you mean 'quantize'?", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(DiagnosticCodes.ConfigWrongType, scalar.Code);
    }

    [Fact]
    public void Two_models_with_one_name_are_refused()
    {
        var error = Error("""
            version: 1
            models:
              - path: mlp.onnx
                passes: [{ quantize: { mode: fp16 } }]
              - path: ./mlp.onnx
                passes: [{ quantize: { mode: int8-dynamic } }]
            """);

        Assert.Equal(DiagnosticCodes.ConfigInvalidValue, error.Code);
        Assert.Equal(5, error.Line);
    }

    [Fact]
    public void Durations_take_units()
    {
        var config = Load("""
            version: 1
            models:
              - path: mlp.onnx
                passes: [{ quantize: { mode: fp16 } }]
                search: { mode: auto, max_trials: 5, timeout: 10m }
            """);

        Assert.Equal(TimeSpan.FromMinutes(10), config.Models[0].Search!.Duration("timeout"));
    }

    [Fact]
    public void Version_must_be_one()
    {
        var error = Error("""
            version: 2
            models: []
            """);

        Assert.Equal(DiagnosticCodes.ConfigInvalidValue, error.Code);
        Assert.Equal((1, 10), (error.Line, error.Column));
    }

    [Fact]
    public void A_missing_config_file_is_CB2105()
    {
        var error = Assert.Throws<CompressBuildException>(() => CompressConfigLoader.Load(temp.File("nope.yaml")));

        Assert.Equal(DiagnosticCodes.ConfigFileNotFound, error.Code);
    }

    [Fact]
    public void Budgets_read_as_on_the_command_line_a_percent_suffix_on_a_fraction_and_a_unit_on_a_number()
    {
        var config = Load("""
            version: 1
            models:
              - path: mlp.onnx
                passes: [ quantize: { mode: int8-dynamic } ]
                evaluation: { data: test.npy, labels: labels.npy }
                budgets:
                  max_accuracy_drop: 1%
                  min_agreement: 0.99
                  max_latency_ms: 20ms
                  min_speedup: 1.5x
            """);

        var budgets = global::CompressBuild.Engine.Pipeline.Passes.VerificationBinding.Bind(config.Models[0], "candidate.onnx", null, updateBaseline: false, threads: 1).Budgets;
        Assert.Equal(0.01, budgets.MaxAccuracyDrop);
        Assert.Equal(0.99, budgets.MinAgreement);
        Assert.Equal(20, budgets.MaxLatencyMs);
        Assert.Equal(1.5, budgets.MinSpeedup);
    }

    [Fact]
    public void A_bare_accuracy_drop_above_1_is_CB2046_at_its_line_saying_it_is_a_fraction()
    {
        var error = Error("""
            version: 1
            models:
              - path: mlp.onnx
                passes: [ quantize: { mode: int8-dynamic } ]
                budgets:
                  max_accuracy_drop: 2
            """);

        Assert.Equal(DiagnosticCodes.BudgetNotAFraction, error.Code);
        Assert.Equal((6, 26), (error.Line, error.Column));
        Assert.Contains("max_accuracy_drop is a fraction: 0.01 or 1% is one point; got 2.", error.Message, StringComparison.Ordinal);
    }

    private CompressConfig Load(string yaml)
    {
        File.WriteAllText(temp.File("compress.yaml"), yaml);
        return CompressConfigLoader.Load(temp.File("compress.yaml"));
    }

    private CompressBuildException Error(string yaml) => Assert.Throws<CompressBuildException>(() => Load(yaml));
}
