using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tool.Tests.Commands;

/// <summary>What run's messages and reports name: compress.yaml keys and lines, the model rather than scratch files.</summary>
public sealed class RunCommandMessageTests : IDisposable
{
    private readonly DigitsWorkspace temp = new(DigitsWorkspace.EvaluationFiles);

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_failed_run_names_the_model_and_its_plan_not_a_deleted_candidate_file()
    {
        var config = Config("min_size_ratio: 100");

        var run = Run("run", config, "--report-dir", temp.File("reports"));

        Assert.Equal(2, run.ExitCode);
        var report = JsonNode.Parse(File.ReadAllText(temp.File(Path.Combine("reports", "mlp", "mlp.verify.json"))))!;
        var candidate = report["candidate"]!.GetValue<string>();
        Assert.StartsWith(temp.File("mlp.onnx") + " compressed by quantize int8-dynamic", candidate, StringComparison.Ordinal);
        Assert.EndsWith("(not written)", candidate, StringComparison.Ordinal);
        Assert.False(File.Exists(candidate));
    }

    [Fact]
    public void An_advisory_points_at_the_line_of_its_budget_key_and_names_no_command_line_flag()
    {
        var config = Config("max_latency_ms: 1000\n      latency_machine: some-other-machine");
        var line = Array.FindIndex(File.ReadAllLines(config), l => l.TrimStart().StartsWith("max_latency_ms:", StringComparison.Ordinal)) + 1;

        var run = Run("run", config);

        Assert.True(run.ExitCode == 0, run.Error);
        var warning = run.Error.Split('\n').Single(l => l.Contains("warning CB4050", StringComparison.Ordinal));
        Assert.Matches($@"compress\.yaml\({line},\d+\): warning CB4050: mlp: ", warning);
        Assert.Contains("latency_machine", warning, StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex(@"(^|\s)--[a-z]"), warning);
    }

    [Fact]
    public void A_collapsed_candidate_fails_with_CB1011_under_the_loosest_budget_and_misses_as_warnings_and_is_not_written()
    {
        // 99.9% of the MLP's weights zeroed: its logits keep a cosine of about 0.08 to the original's.
        File.WriteAllText(temp.File("compress.yaml"), """
            version: 1
            models:
              - path: mlp.onnx
                output: out/mlp.onnx
                passes:
                  - prune: { method: magnitude, sparsity: 0.999 }
                evaluation: { data: test_x_flat.npy, limit: 100 }
                budgets:
                  min_cosine: 0.0
            """);

        var run = Run("run", temp.File("compress.yaml"), "--model-file", temp.File("mlp.onnx"), "--output", temp.File("obj/mlp.onnx"),
            "--misses-as-warnings", "--message-format", "json-lines");

        Assert.Equal(2, run.ExitCode);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        var error = Assert.Single(lines, l => (string?)l["code"] == "CB1011");
        Assert.Equal("error", (string?)error["severity"]);
        Assert.Contains("FAILED", (string?)lines.Single(l => (string?)l["kind"] == "summary")["text"], StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File("obj/mlp.onnx")));
    }

    private string Config(string budgets) => temp.WriteMlpConfig(budgets);

    private CliRun Run(params string[] args) => CliRun.Of([.. args, "--cache-dir", temp.File("cache")]);
}
