using System.Text.Json;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tool.Tests.Commands;

public sealed class VerifyCommandTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private static string Digits(string name) => Path.Combine(RepositoryPaths.Digits, name);

    private static CliRun Verify(string candidate, params string[] extra) => CliRun.Of(
        ["verify", candidate, "--reference", Digits("mlp.onnx"), "--data", Digits("test_x_flat.npy"), "--labels", Digits("test_labels.npy"), "--limit", "200", "--max-time", "0.2", "--warmup", "5",
            .. extra]);

    [Fact]
    public void Identical_models_pass_every_budget_and_json_is_alone_on_stdout()
    {
        var run = Verify(Digits("mlp.onnx"), "--max-accuracy-drop", "0.5%", "--min-agreement", "100%", "--min-cosine", "1", "--min-speedup", "1.0x", "--json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.Error);
        var root = JsonDocument.Parse(run.Out).RootElement;
        Assert.True(root.GetProperty("passed").GetBoolean());
        Assert.Equal(4, root.GetProperty("checks").GetArrayLength());
        Assert.Equal(200, root.GetProperty("data").GetProperty("samples").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("outputs")[0].GetProperty("sqnrDb").ValueKind);
    }

    [Fact]
    public void Verify_prints_the_same_fusion_report_as_quantize_for_an_int8_static_model()
    {
        var output = temp.File("cnn.int8.onnx");
        var quantize = CliRun.Of("quantize", Digits("cnn_residual.onnx"), "-o", output, "--mode", "int8-static", "--calibration-data", Digits("calib_x_img.npy"), "--calibration-samples", "32");
        Assert.True(quantize.ExitCode == ExitCodes.Ok, quantize.Error);

        var verify = CliRun.Of("verify", output, "--reference", Digits("cnn_residual.onnx"), "--data", Digits("test_x_img.npy"), "--limit", "16", "--no-latency");

        Assert.True(verify.ExitCode == ExitCodes.Ok, verify.Error);
        static List<string> FusionLines(string text) =>
            text.Split('\n').SkipWhile(l => !l.StartsWith("Fusion ", StringComparison.Ordinal)).TakeWhile(l => !l.StartsWith("Size ", StringComparison.Ordinal)).ToList();
        var fromQuantize = FusionLines(quantize.Out);
        Assert.Contains("integer kernel(s)", fromQuantize[0], StringComparison.Ordinal);
        Assert.Contains(fromQuantize, l => l.Contains("QLinearConv", StringComparison.Ordinal));
        Assert.Equal(fromQuantize, FusionLines(verify.Out));
    }

    [Fact]
    public void A_missed_budget_is_exit_2_with_one_line_per_miss_giving_measured_budget_and_reference()
    {
        var candidate = PerturbedModels.Write(Digits("mlp.onnx"), 0.6, temp.File("worse.onnx"));

        var run = Verify(candidate, "--max-accuracy-drop", "0.01", "--min-cosine", "0.9999", "--max-size-mb", "100", "--no-latency");

        Assert.Equal(ExitCodes.BudgetMissed, run.ExitCode);
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var accuracy = Assert.Single(lines, l => l.Contains("error CB1001", StringComparison.Ordinal));
        Assert.StartsWith($"{candidate}: error CB1001: top-1 accuracy dropped", accuracy, StringComparison.Ordinal);
        Assert.Contains("budget max_accuracy_drop 1.00 pp", accuracy, StringComparison.Ordinal);
        Assert.Contains("reference 9", accuracy, StringComparison.Ordinal);
        Assert.Single(lines, l => l.Contains("error CB1006", StringComparison.Ordinal));
        Assert.DoesNotContain("CB1003", run.Error, StringComparison.Ordinal);
        Assert.Contains("Result      FAILED: 2 budget(s) missed", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Baseline_round_trip_through_the_command_line()
    {
        var baseline = temp.File("compress.baseline.json");
        var good = PerturbedModels.Write(Digits("mlp.onnx"), 1e-3, temp.File("model.onnx"));

        var record = Verify(good, "--baseline", baseline, "--update-baseline");
        var recorded = JsonDocument.Parse(File.ReadAllText(baseline)).RootElement;
        var same = Verify(good, "--baseline", baseline, "--json");
        PerturbedModels.Write(Digits("mlp.onnx"), 0.6, good);
        var worse = Verify(good, "--baseline", baseline);

        Assert.True(record.ExitCode == ExitCodes.Ok, record.Error);
        Assert.Contains($"Baseline    recorded 'model.onnx' in {baseline}", record.Out, StringComparison.Ordinal);
        Assert.Equal(1, recorded.GetProperty("schemaVersion").GetInt32());
        Assert.True(recorded.GetProperty("models").GetProperty("model.onnx").GetProperty("accuracyTop1").GetDouble() > 0.9);
        // The same model: accuracy and size hold the baseline. Its speedup is timed again, so whether it holds the recorded one depends on
        // the machine's load: that check must agree with its own interval, and the exit code with the checks.
        var checks = JsonDocument.Parse(same.Out).RootElement.GetProperty("checks").EnumerateArray().ToList();
        var speedup = checks.Single(c => c.GetProperty("name").GetString() == "baseline.speedup");
        var high = JsonDocument.Parse(same.Out).RootElement.GetProperty("latency").GetProperty("speedup").GetProperty("high").GetDouble();
        var held = high >= speedup.GetProperty("budget").GetDouble();
        Assert.Equal(held ? "passed" : "failed", speedup.GetProperty("status").GetString());
        Assert.All(checks.Where(c => c.GetProperty("name").GetString() != "baseline.speedup"), c => Assert.Equal("passed", c.GetProperty("status").GetString()));
        Assert.Contains(checks, c => c.GetProperty("name").GetString() == "baseline.accuracy");
        Assert.True(same.ExitCode == (held ? ExitCodes.Ok : ExitCodes.BudgetMissed), same.Error);
        Assert.Equal(ExitCodes.BudgetMissed, worse.ExitCode);
        Assert.Contains("error CB1005: top-1 accuracy", worse.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_are_written_to_the_report_dir()
    {
        var dir = temp.File("reports");

        var run = Verify(Digits("mlp.onnx"), "--report-dir", dir, "--no-latency");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal(["mlp.verify.html", "mlp.verify.json", "mlp.verify.junit.xml", "mlp.verify.md", "verify-report.schema.json"],
            Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_label_count_mismatch_is_exit_4_naming_the_labels_file()
    {
        var labels = temp.File("labels.txt");
        File.WriteAllLines(labels, Enumerable.Repeat("3", 10));

        var run = CliRun.Of("verify", Digits("mlp.onnx"), "--reference", Digits("mlp.onnx"), "--data", Digits("test_x_flat.npy"), "--labels", labels);

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains($"{labels}: error CB2011: 10 labels for 497 samples", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_that_does_not_fit_the_model_is_exit_4_naming_the_input()
    {
        var run = CliRun.Of("verify", Digits("mlp.onnx"), "--reference", Digits("cnn_residual.onnx"), "--data", Digits("test_x_flat.npy"));

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains($"error CB2011: reference model {Digits("cnn_residual.onnx")}: input 'input' expects float32 [batch,1,8,8], the data gives float32 [64]", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--min-cosine", "high", "CB2060")]
    [InlineData("--min-agreement", "150", "CB2046")]
    [InlineData("--max-accuracy-drop", "-1", "CB2060")]
    [InlineData("--min-agreement", "101%", "CB2060")]
    [InlineData("--batch", "0", "CB2012")]
    public void Bad_budget_values_are_exit_4(string option, string value, string code)
    {
        var run = Verify(Digits("mlp.onnx"), option, value);

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains($"error {code}", run.Error, StringComparison.Ordinal);
        // Messages name the neutral compress.yaml key (min_agreement for --min-agreement), as in a compress.yaml run.
        var key = option[2..].Replace('-', '_');
        Assert.Contains($"{key} ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(option, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bare_accuracy_drop_above_1_is_refused_as_a_percentage_where_a_fraction_belongs()
    {
        var run = Verify(Digits("mlp.onnx"), "--max-accuracy-drop", "1.5");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("error CB2046: budget max_accuracy_drop is a fraction: 0.01 or 1% is one point; got 1.5. Write 0.015 or 1.5% for 1.5 percent.", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_budget_of_the_registry_is_an_option_named_after_its_key()
    {
        var help = CliRun.Of("verify", "--help");

        Assert.All(BudgetRegistry.All, b => Assert.Contains("--" + b.Key.Replace('_', '-'), help.Out, StringComparison.Ordinal));
        Assert.Contains("--baseline-size-tolerance", help.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_data_file_is_exit_4()
    {
        var run = CliRun.Of("verify", Digits("mlp.onnx"), "--reference", Digits("mlp.onnx"), "--data", temp.File("nothing.npy"), "--json");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Equal("CB2010", JsonDocument.Parse(run.Out).RootElement.GetProperty("error").GetProperty("code").GetString());
    }
}
