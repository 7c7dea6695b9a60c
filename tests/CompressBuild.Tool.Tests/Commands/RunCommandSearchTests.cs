using System.Text.Json.Nodes;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tool.Tests.Commands;

/// <summary>What the search says about itself on the trained digits MLP: fallbacks named, no-op trials skipped, work reused.</summary>
public sealed class RunCommandSearchTests : IDisposable
{
    private readonly DigitsWorkspace temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_fallback_to_another_mode_is_warning_CB4058_and_the_summary_names_the_requested_mode()
    {
        // int8-dynamic with Gemm excluded quantizes nothing, so the 0.15 MB budget is met only by the fp16 fallback.
        var config = Config("{ mode: int8-dynamic, exclude_op_types: [Gemm] }", "max_size_mb: 0.15");

        var run = Run("run", config, "--model-file", temp.File("mlp.onnx"), "--output", temp.File("obj/mlp.onnx"), "--message-format", "json-lines");

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        var warning = Assert.Single(lines, l => (string?)l["code"] == "CB4058");
        Assert.Equal("warning", (string?)warning["severity"]);
        Assert.Contains("fp16 (requested int8-dynamic: quantized 0 of", (string?)warning["message"], StringComparison.Ordinal);
        var summary = Assert.Single(lines, l => (string?)l["kind"] == "summary");
        Assert.Contains("mlp.onnx: fp16 (requested int8-dynamic: quantized 0 of", (string?)summary["text"], StringComparison.Ordinal);
    }

    [Fact]
    public void The_build_form_of_run_reuses_every_trial_of_the_plain_run_from_the_cache()
    {
        // The output path, the origin and the message format are not part of the cache key.
        var config = Config("{ mode: int8-static, calibration: { data: calib_x_flat.npy, samples: 50 } }", "max_accuracy_drop: 0.01\n      min_sqnr: 55");
        var plain = Run("run", config, "--json");
        var trials = JsonNode.Parse(plain.Out)!["models"]![0]!["trials"]!.AsArray().Count(t => t!["skipped"] is null);

        var build = Run("run", config, "--model-file", temp.File("mlp.onnx"), "--output", temp.File("obj/mlp.onnx"), "--origin", temp.File("app.csproj") + "(12,5)",
            "--message-format", "json-lines", "--report-dir", temp.File("reports"));

        Assert.True(plain.ExitCode == 0, plain.Error);
        Assert.True(build.ExitCode == 0, build.Out + build.Error);
        Assert.True(trials >= 2, $"{trials} trial(s): the test needs a search");
        Assert.Equal(trials, build.Out.Split('\n').Count(l => l.Contains("cache hit for", StringComparison.Ordinal)));
        Assert.Contains(", cached\"", build.Out, StringComparison.Ordinal);
    }

    private string Config(string quantize, string budgets) => temp.WriteMlpConfig(budgets, quantize, limit: 200, search: "auto");

    private CliRun Run(params string[] args) => CliRun.Of([.. args, "--cache-dir", temp.File("cache")]);
}
