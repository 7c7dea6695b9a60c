using System.Text.Json.Nodes;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tool.Tests.Commands;

/// <summary>Full pipeline runs on the trained digits MLP: real quantization, real verification on held-out data.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly DigitsWorkspace temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_fidelity_budget_int8_misses_makes_the_search_keep_the_most_sensitive_layers_in_float()
    {
        // int8-static keeps top-1 but its logits' SQNR is ~50 dB; with 1, 2 or all 3 Gemms float it is ~54, ~57 and
        // infinite. A 55 dB budget is met first with the two most sensitive layers in float.
        var config = Config("max_accuracy_drop: 0.01\n      min_sqnr: 55", search: "auto");

        var run = Run("run", config, "--json");

        Assert.True(run.ExitCode == 0, run.Error);
        var model = Json(run)["models"]![0]!;
        var trials = model["trials"]!.AsArray();
        Assert.False(trials[0]!["passed"]!.GetValue<bool>());
        Assert.Contains("CB1006", trials[0]!["misses"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        var chosen = trials.Single(t => t!["chosen"]!.GetValue<bool>())!;
        Assert.Contains("keep_float_top=2", chosen["passes"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.InRange(trials.Count, 3, 4); // the request, then a binary search over at most the quantized nodes
        Assert.True(File.Exists(temp.File(Path.Combine("out", "mlp.onnx"))));
    }

    [Fact]
    public void When_nothing_can_meet_the_budgets_it_exits_2_lists_every_trial_and_writes_nothing()
    {
        var config = Config("min_size_ratio: 100", search: "auto");

        var run = Run("run", config);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Trials:", run.Out, StringComparison.Ordinal);
        Assert.Contains("1. requested:", run.Out, StringComparison.Ordinal);
        Assert.Contains("fallback: fp16 without pruning", run.Out, StringComparison.Ordinal);
        Assert.Matches(@"compress\.yaml\(\d+,\d+\): error CB1003: mlp: ", run.Error);
        Assert.False(File.Exists(temp.File(Path.Combine("out", "mlp.onnx"))));
    }

    [Fact]
    public void A_second_run_is_served_from_the_cache_with_a_byte_identical_output()
    {
        var config = Config("max_accuracy_drop: 0.01");

        var first = Run("run", config, "--json");
        var output = File.ReadAllBytes(temp.File(Path.Combine("out", "mlp.onnx")));
        File.Delete(temp.File(Path.Combine("out", "mlp.onnx")));
        var second = Run("run", config, "--json");
        var uncached = Run("run", config, "--json", "--no-cache");

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, Json(first)["models"]![0]!["cacheHits"]!.GetValue<int>());
        Assert.Equal(1, Json(second)["models"]![0]!["cacheHits"]!.GetValue<int>());
        Assert.Equal(0, Json(uncached)["models"]![0]!["cacheHits"]!.GetValue<int>());
        Assert.Equal(output, File.ReadAllBytes(temp.File(Path.Combine("out", "mlp.onnx"))));
        Assert.Equal(
            Json(first)["models"]![0]!["verification"]!["outputs"]!.ToJsonString(),
            Json(second)["models"]![0]!["verification"]!["outputs"]!.ToJsonString());
    }

    [Fact]
    public async Task Two_processes_sharing_one_cache_both_succeed_with_identical_outputs()
    {
        var config = Config("max_accuracy_drop: 0.01");
        var second = temp.Checkout("second");

        var cache = temp.File("shared-cache");
        var runs = new[] { temp.Path, second }
            .Select(folder => Task.Run(() => ToolProcess.Run(["run", Path.Combine(folder, "compress.yaml"), "--cache-dir", cache])))
            .ToArray();
        var results = await Task.WhenAll(runs);

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Error));
        Assert.Equal(File.ReadAllBytes(temp.File(Path.Combine("out", "mlp.onnx"))), File.ReadAllBytes(Path.Combine(second, "out", "mlp.onnx")));
        Assert.Empty(Directory.GetDirectories(Path.Combine(cache, "v1", "staging")));
    }

    [Fact]
    public void A_config_error_is_exit_4_at_its_line_and_column()
    {
        File.WriteAllText(temp.File("compress.yaml"), "version: 1\nmodels:\n  - path: mlp.onnx\n    passes: [{ quantize: { mode: int8-statik } }]\n");

        var run = Run("run", temp.File("compress.yaml"));

        Assert.Equal(4, run.ExitCode);
        Assert.Contains("compress.yaml(4,34): error CB2103: 'mode' must be one of", run.Error, StringComparison.Ordinal);
        Assert.Contains("(did you mean 'int8-static'?)", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pass_option_conflict_points_at_the_pass_and_writes_nothing()
    {
        File.WriteAllText(temp.File("compress.yaml"), """
            version: 1
            models:
              - path: mlp.onnx
                output: out/mlp.onnx
                passes:
                  - prune: { method: nm, sparsity: 0.5 }
                evaluation: test_x_flat.npy
            """);

        var run = Run("run", temp.File("compress.yaml"));

        Assert.Equal(4, run.ExitCode);
        Assert.Contains("compress.yaml(6,16): error CB2043: sparsity does not apply to method nm", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.File("out")));
    }

    [Fact]
    public void A_model_without_evaluation_data_cannot_be_gated_and_says_where_to_add_it()
    {
        File.WriteAllText(temp.File("compress.yaml"), "version: 1\nmodels:\n  - path: mlp.onnx\n    passes: [{ quantize: { mode: fp16 } }]\n");

        var run = Run("run", temp.File("compress.yaml"));

        Assert.Equal(4, run.ExitCode);
        Assert.Contains("compress.yaml(3,5): error CB2104: model 'mlp' has no 'evaluation' data", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_model_and_an_unknown_model_name_are_invalid_input()
    {
        var config = Config("max_accuracy_drop: 0.01");

        var unknown = Run("run", config, "--model", "mpl");
        File.WriteAllText(temp.File("mlp.onnx"), "not a model");
        var corrupt = Run("run", config);

        Assert.Equal(4, unknown.ExitCode);
        Assert.Contains("error CB2012: no model named 'mpl' in the config; it has 'mlp'", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(4, corrupt.ExitCode);
        Assert.Contains("mlp.onnx: error CB2002", corrupt.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File(Path.Combine("out", "mlp.onnx"))));
    }

    [Fact]
    public void A_damaged_cache_entry_is_reported_and_rebuilt_into_the_same_bytes()
    {
        var config = Config("max_accuracy_drop: 0.01");
        var first = Run("run", config, "--json");
        var output = temp.File(Path.Combine("out", "mlp.onnx"));
        var expected = File.ReadAllBytes(output);
        var cached = Directory.GetFiles(temp.File("cache"), "model.onnx", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(cached);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(cached, bytes);
        File.Delete(output);

        var second = Run("run", config, "--json");

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Contains("CB4101", second.Error, StringComparison.Ordinal);
        Assert.Equal(0, Json(second)["models"]![0]!["cacheHits"]!.GetValue<int>());
        Assert.Equal(expected, File.ReadAllBytes(output));
        var third = Run("run", config, "--json");
        Assert.Equal(1, Json(third)["models"]![0]!["cacheHits"]!.GetValue<int>());
    }

    [Fact]
    public void A_latency_budget_is_enforced_only_on_the_machine_named_in_latency_machine()
    {
        var elsewhere = Run("run", Config("max_latency_ms: 0.000001\n      latency_machine: some-other-machine"), "--json");
        var machine = Json(elsewhere)["models"]![0]!["verification"]!["machine"]!["id"]!.GetValue<string>();
        var here = Run("run", Config($"max_latency_ms: 0.000001\n      latency_machine: '{machine}'"), "--json");

        Assert.True(elsewhere.ExitCode == 0, elsewhere.Error);
        Assert.Contains("CB4050", elsewhere.Out, StringComparison.Ordinal);
        Assert.Equal(2, here.ExitCode);
        Assert.Matches(@"compress\.yaml\(\d+,\d+\): error CB1004: mlp: ", here.Error);
    }

    private string Config(string budgets, string search = "off") =>
        temp.WriteMlpConfig(budgets, "{ mode: int8-static, calibration: { data: calib_x_flat.npy, samples: 100 } }", limit: 200, search: search);

    private CliRun Run(params string[] args) => CliRun.Of([.. args, "--cache-dir", temp.File("cache")]);

    private static JsonNode Json(CliRun run) => JsonNode.Parse(run.Out) ?? throw new InvalidOperationException(run.Error);
}
