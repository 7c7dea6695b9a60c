using System.Text.Json;
using System.Text.Json.Nodes;
using CompressBuild.Engine.Budgets;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tool.Tests.Commands;

/// <summary>
/// <c>run</c> as the MSBuild task calls it: JSON lines, one model by path, output and origin overridden, misses as
/// warnings, the dependencies file and response files. Real int8 quantization and verification of the digits MLP.
/// </summary>
public sealed class RunCommandMsBuildTests : IDisposable
{
    private static readonly string[] Kinds = ["progress", "diagnostic", "summary", "result"];
    private static readonly string[] CopiedToSpacedFolder = ["mlp.onnx", "test_x_flat.npy", "test_labels.npy"];

    private static readonly string[] ReadByInt8Static = ["compress.yaml", "mlp.onnx", "calib_x_flat.npy", "test_x_flat.npy", "test_labels.npy"];

    private readonly DigitsWorkspace temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Json_lines_are_one_object_per_line_ending_with_the_result_and_a_summary_that_says_cached()
    {
        var config = Config("max_accuracy_drop: 0.01");

        var first = CliRun.Of("run", config, "--message-format", "json-lines", "--cache-dir", temp.File("cache"));
        var second = CliRun.Of("run", config, "--message-format", "json-lines", "--cache-dir", temp.File("cache"));

        Assert.Equal(0, first.ExitCode);
        Assert.Equal("", first.Error);
        var lines = Lines(first);
        Assert.All(lines, l => Assert.Contains(l["kind"]!.GetValue<string>(), Kinds));
        Assert.Equal("result", lines[^1]["kind"]!.GetValue<string>());
        Assert.Equal(0, lines[^1]["exitCode"]!.GetValue<int>());
        var summary = lines.Single(l => l["kind"]!.GetValue<string>() == "summary");
        Assert.Equal(temp.File("mlp.onnx"), summary["source"]!.GetValue<string>());
        Assert.Equal(temp.File(Path.Combine("out", "mlp.onnx")), summary["output"]!.GetValue<string>());
        Assert.True(summary["passed"]!.GetValue<bool>());
        Assert.Matches(@"^mlp\.onnx: int8-dynamic, \d+\.\dx smaller, \d+\.\dx (faster|slower), top-1 [+-]?\d+\.\d points \(budget 1\.0\)$", summary["text"]!.GetValue<string>());
        Assert.EndsWith(", cached", Lines(second).Single(l => l["kind"]!.GetValue<string>() == "summary")["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Progress_lines_carry_their_stage_the_trial_and_the_search_limit()
    {
        var config = Config("max_accuracy_drop: 0.01");

        var progress = Lines(JsonLinesRun(config)).Where(l => l["kind"]!.GetValue<string>() == "progress").ToList();

        var started = progress.First(l => l["stage"]?.GetValue<string>() == "started");
        Assert.True(started["trials"]!.GetValue<int>() >= 1);
        var trial = progress.First(l => l["stage"]?.GetValue<string>() == "trial");
        Assert.Equal(1, trial["trial"]!.GetValue<int>());
        Assert.Contains(progress, l => l["stage"]?.GetValue<string>() == "step");
    }

    [Fact]
    public void Latency_knobs_reach_every_verification()
    {
        var config = Config("min_speedup: 0.5");

        var run = CliRun.Of("run", config, "--json", "--no-cache", "--max-time", "0.4", "--ci-width", "20%", "--warmup", "2");

        Assert.Equal(0, run.ExitCode);
        var latency = JsonNode.Parse(run.Out)!["models"]![0]!["verification"]!["latency"]!;
        Assert.Equal(0.4, latency["maxSeconds"]!.GetValue<double>(), 9);
        Assert.Equal(0.2, latency["targetRelativeWidth"]!.GetValue<double>(), 9);
        // --max-time below the default minimum sampling time lowers the minimum to the cap, and the cap is checked first: it always ends
        // the sampling, never before it. How far past it the last pair ends depends on the machine's load: no upper bound is asserted.
        Assert.True(latency["reachedTimeCap"]!.GetValue<bool>());
        Assert.True(latency["seconds"]!.GetValue<double>() >= 0.4);
    }

    [Theory]
    [InlineData("--max-time", "0")]
    [InlineData("--warmup", "-1")]
    [InlineData("--ci-width", "150%")]
    public void Invalid_latency_knobs_are_invalid_input(string option, string value)
    {
        var run = CliRun.Of("run", Config("min_speedup: 0.5"), "--no-cache", option, value);

        Assert.Equal(4, run.ExitCode);
        Assert.Contains(option, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_budget_miss_is_an_error_line_at_the_budget_in_compress_yaml_and_nothing_is_written()
    {
        var config = Config("min_size_ratio: 100");

        var run = JsonLinesRun(config);

        Assert.Equal(2, run.ExitCode);
        var error = Diagnostics(run).Single();
        Assert.Equal("error", error["severity"]!.GetValue<string>());
        Assert.Equal("CB1003", error["code"]!.GetValue<string>());
        Assert.StartsWith("mlp: ", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var (line, column) = PositionOf(config, "min_size_ratio: ");
        Assert.Equal(config, error["file"]!.GetValue<string>());
        Assert.Equal(line, error["line"]!.GetValue<int>());
        Assert.Equal(column, error["column"]!.GetValue<int>());
        var summary = Lines(run).Single(l => l["kind"]!.GetValue<string>() == "summary");
        Assert.EndsWith("FAILED: missed min-size-ratio", summary["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(2, Lines(run)[^1]["exitCode"]!.GetValue<int>());
        Assert.False(File.Exists(temp.File(Path.Combine("out", "mlp.onnx"))));
    }

    [Fact]
    public void With_origin_the_miss_points_at_the_project_file_line_in_both_formats()
    {
        var config = Config("min_size_ratio: 100");
        var project = temp.File(Path.Combine("My App (v2)", "App.csproj"));

        var json = JsonLinesRun(config, "--origin", $"{project}(12,5)");
        var text = CliRun.Of("run", config, "--no-cache", "--origin", $"{project}(12,5)");

        var error = Diagnostics(json).Single();
        Assert.Equal(project, error["file"]!.GetValue<string>());
        Assert.Equal(12, error["line"]!.GetValue<int>());
        Assert.Equal(5, error["column"]!.GetValue<int>());
        Assert.Equal(2, text.ExitCode);
        Assert.Contains($"{project}(12,5): error CB1003: mlp: ", text.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Misses_as_warnings_report_a_warning_write_the_output_and_exit_0()
    {
        var config = Config("min_size_ratio: 100");

        var run = JsonLinesRun(config, "--misses-as-warnings");

        Assert.Equal(0, run.ExitCode);
        var lines = Lines(run);
        var warning = Diagnostics(run).Single();
        Assert.Equal("warning", warning["severity"]!.GetValue<string>());
        Assert.Equal("CB1003", warning["code"]!.GetValue<string>());
        Assert.Equal(0, lines[^1]["exitCode"]!.GetValue<int>());
        Assert.True(File.Exists(temp.File(Path.Combine("out", "mlp.onnx"))));
        Assert.Contains("missed min-size-ratio (warnings only)", lines.Single(l => l["kind"]!.GetValue<string>() == "summary")["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Model_file_selects_the_model_by_path_and_an_unknown_path_is_CB2108_at_the_config()
    {
        File.Copy(temp.File("mlp.onnx"), temp.File("second.onnx"));
        var config = TwoModels();

        var selected = JsonLinesRun(config, "--model-file", temp.File("second.onnx"));
        var unknown = JsonLinesRun(config, "--model-file", temp.File("third.onnx"));
        var unknownText = CliRun.Of("run", config, "--no-cache", "--model-file", "third.onnx");

        Assert.Equal(0, selected.ExitCode);
        var summary = Lines(selected).Single(l => l["kind"]!.GetValue<string>() == "summary");
        Assert.Equal("second", summary["model"]!.GetValue<string>());
        Assert.True(File.Exists(temp.File(Path.Combine("out", "second.onnx"))));
        Assert.False(File.Exists(temp.File(Path.Combine("out", "mlp.onnx"))));

        Assert.Equal(4, unknown.ExitCode);
        var lines = Lines(unknown);
        Assert.Equal(2, lines.Count);
        Assert.Equal("CB2108", lines[0]["code"]!.GetValue<string>());
        Assert.Equal(config, lines[0]["file"]!.GetValue<string>());
        Assert.Contains($"has no model with path {temp.File("third.onnx")}; its models are: {temp.File("mlp.onnx")}, {temp.File("second.onnx")}", lines[0]["message"]!.GetValue<string>(),
            StringComparison.Ordinal);
        Assert.Equal(4, lines[1]["exitCode"]!.GetValue<int>());
        Assert.Equal(4, unknownText.ExitCode);
        Assert.Contains("error CB2108: compress.yaml has no model with path", unknownText.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_writes_the_selected_model_there_and_needs_exactly_one_model()
    {
        File.Copy(temp.File("mlp.onnx"), temp.File("second.onnx"));
        var config = TwoModels();
        var output = temp.File(Path.Combine("obj", "compressbuild", "models", "mlp.onnx"));

        var one = JsonLinesRun(config, "--model-file", temp.File("mlp.onnx"), "--output", output);
        var two = JsonLinesRun(config, "--output", output + ".2");

        Assert.Equal(0, one.ExitCode);
        Assert.True(File.Exists(output));
        Assert.False(File.Exists(temp.File(Path.Combine("out", "mlp.onnx"))));
        Assert.Equal(output, Lines(one).Single(l => l["kind"]!.GetValue<string>() == "summary")["output"]!.GetValue<string>());
        Assert.Equal(4, two.ExitCode);
        Assert.Equal("CB2012", Lines(two)[0]["code"]!.GetValue<string>());
        Assert.False(File.Exists(output + ".2"));
    }

    [Fact]
    public void The_dependencies_file_lists_exactly_the_files_read_sorted_and_only_after_the_output_was_written()
    {
        var config = Config("max_accuracy_drop: 0.01", "{ mode: int8-static, calibration: { data: calib_x_flat.npy, samples: 50 } }");
        var dependencies = temp.File(Path.Combine("obj", "mlp.deps"));

        var run = JsonLinesRun(config, "--dependencies-file", dependencies);
        var failed = JsonLinesRun(Config("min_size_ratio: 100"), "--dependencies-file", dependencies + ".failed");

        Assert.Equal(0, run.ExitCode);
        string[] expected = [.. ReadByInt8Static.Select(temp.File).Order(StringComparer.Ordinal)];
        Assert.Equal(expected, File.ReadAllLines(dependencies));
        Assert.Equal(2, failed.ExitCode);
        Assert.False(File.Exists(dependencies + ".failed"));
    }

    [Fact]
    public void The_dependencies_of_a_model_with_external_data_include_its_data_file()
    {
        Assert.Equal(0, CliRun.Of("convert", temp.File("mlp.onnx"), "-o", temp.File(Path.Combine("ext", "mlp.onnx")), "--external-data").ExitCode);
        File.Delete(temp.File("mlp.onnx"));
        File.Move(temp.File(Path.Combine("ext", "mlp.onnx")), temp.File("mlp.onnx"));
        var data = Directory.GetFiles(temp.File("ext")).Single();
        File.Move(data, temp.File(Path.GetFileName(data)));
        var dependencies = temp.File("mlp.deps");

        var run = JsonLinesRun(Config("max_accuracy_drop: 0.01"), "--dependencies-file", dependencies);

        Assert.True(run.ExitCode == 0, run.Out);
        Assert.Contains(temp.File(Path.GetFileName(data)), File.ReadAllLines(dependencies));
        Assert.Contains(temp.File("mlp.onnx"), File.ReadAllLines(dependencies));
    }

    [Fact]
    public void A_config_error_in_json_lines_mode_is_one_diagnostic_line_then_the_result_at_the_origin_when_given()
    {
        File.WriteAllText(temp.File("compress.yaml"), "version: 1\nmodels:\n  - path: mlp.onnx\n    passes: [{ quantize: { mode: int8-statik } }]\n");

        var run = JsonLinesRun(temp.File("compress.yaml"));
        var moved = JsonLinesRun(temp.File("compress.yaml"), "--origin", "/src/App.csproj(7)");

        Assert.Equal(4, run.ExitCode);
        Assert.Equal("", run.Error);
        var lines = Lines(run);
        Assert.Equal(2, lines.Count);
        Assert.Equal("CB2103", lines[0]["code"]!.GetValue<string>());
        Assert.Equal(temp.File("compress.yaml"), lines[0]["file"]!.GetValue<string>());
        Assert.Equal(4, lines[0]["line"]!.GetValue<int>());
        Assert.Equal(34, lines[0]["column"]!.GetValue<int>());
        Assert.Equal(4, lines[1]["exitCode"]!.GetValue<int>());
        var relocated = Lines(moved)[0];
        Assert.Equal(Path.GetFullPath("/src/App.csproj"), relocated["file"]!.GetValue<string>());
        Assert.Equal(7, relocated["line"]!.GetValue<int>());
        Assert.Null(relocated["column"]);
    }

    [Fact]
    public void An_unknown_option_in_json_lines_mode_is_a_CB2012_line_then_the_result()
    {
        var run = JsonLinesRun(Config("max_accuracy_drop: 0.01"), "--min-cosinee", "0.9");

        Assert.Equal(4, run.ExitCode);
        Assert.Equal("", run.Error);
        var lines = Lines(run);
        Assert.Contains(lines, l => l["code"]?.GetValue<string>() == "CB2012" && l["message"]!.GetValue<string>().Contains("--min-cosinee", StringComparison.Ordinal));
        Assert.Equal("result", lines[^1]["kind"]!.GetValue<string>());
        Assert.Equal(4, lines[^1]["exitCode"]!.GetValue<int>());
    }

    [Fact]
    public void A_corrupt_model_in_json_lines_mode_is_a_CB2002_line_at_the_model_not_the_origin()
    {
        var config = Config("max_accuracy_drop: 0.01");
        File.WriteAllText(temp.File("mlp.onnx"), "not a model");

        var run = JsonLinesRun(config, "--origin", "/src/App.csproj(7,3)");

        Assert.Equal(4, run.ExitCode);
        var lines = Lines(run);
        var error = lines.Single(l => l["kind"]!.GetValue<string>() == "diagnostic");
        Assert.Equal("CB2002", error["code"]!.GetValue<string>());
        Assert.Equal(temp.File("mlp.onnx"), error["file"]!.GetValue<string>());
        Assert.Equal(4, lines[^1]["exitCode"]!.GetValue<int>());
    }

    [Fact]
    public void A_response_file_with_quoted_paths_holding_spaces_and_non_ascii_letters_works()
    {
        var folder = temp.File("Mödel Fíles (ü)");
        Directory.CreateDirectory(folder);
        foreach (var file in CopiedToSpacedFolder)
        {
            File.Copy(temp.File(file), Path.Combine(folder, file));
        }

        var config = Path.Combine(folder, "compress.yaml");
        File.Move(Config("max_accuracy_drop: 0.01"), config);
        var output = Path.Combine(folder, "obj dir", "größe.onnx");
        var dependencies = Path.Combine(folder, "obj dir", "deps ü.txt");
        var rsp = Path.Combine(folder, "run ä.rsp");
        string[] tokens = [Quote(config), "--model-file", Quote(Path.Combine(folder, "mlp.onnx")), "--output", Quote(output), "--dependencies-file", Quote(dependencies),
            "--message-format", "json-lines", "--no-cache", "--origin", Quote(Path.Combine(folder, "Äpp (1).csproj") + "(3,4)")];
        File.WriteAllLines(rsp, tokens);

        var run = CliRun.Of("run", "@" + rsp);

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        Assert.True(File.Exists(output));
        Assert.Contains(Path.Combine(folder, "mlp.onnx"), File.ReadAllLines(dependencies));
        Assert.Equal(output, Lines(run).Single(l => l["kind"]!.GetValue<string>() == "summary")["output"]!.GetValue<string>());
    }

    [Fact]
    public void Record_baseline_writes_entries_for_the_selected_models_only_and_nothing_when_a_budget_misses()
    {
        File.Copy(temp.File("mlp.onnx"), temp.File("second.onnx"));
        var config = TwoModels();
        var baseline = temp.File(Path.Combine("obj", "second.baseline.json"));

        var run = JsonLinesRun(config, "--model-file", temp.File("second.onnx"), "--record-baseline", baseline);
        var missed = JsonLinesRun(Config("min_size_ratio: 100"), "--record-baseline", baseline + ".missed");

        Assert.Equal(0, run.ExitCode);
        var document = BaselineFile.TryLoad(baseline)!;
        Assert.Equal(["second"], document.Models.Keys);
        var entry = document.Models["second"];
        Assert.Equal("second.onnx", entry.Reference);
        Assert.Equal(100, entry.Samples);
        Assert.True(entry.SizeBytes > 0 && entry.SizeBytes < new FileInfo(temp.File("second.onnx")).Length / 2);
        Assert.NotNull(entry.AccuracyTop1);
        Assert.Equal(2, missed.ExitCode);
        Assert.False(File.Exists(baseline + ".missed"));
    }

    private static string Quote(string token) => $"\"{token}\"";

    private static CliRun JsonLinesRun(string config, params string[] args) => CliRun.Of(["run", config, "--message-format", "json-lines", "--no-cache", .. args]);

    private static List<JsonNode> Lines(CliRun run)
    {
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        return [.. lines.Select(l => JsonNode.Parse(l) ?? throw new JsonException($"not JSON: {l}"))];
    }

    /// <summary>1-based line and column of the value written right after <paramref name="key"/>.</summary>
    private static (int Line, int Column) PositionOf(string file, string key)
    {
        var lines = File.ReadAllLines(file);
        var index = Array.FindIndex(lines, l => l.Contains(key, StringComparison.Ordinal));
        return (index + 1, lines[index].IndexOf(key, StringComparison.Ordinal) + key.Length + 1);
    }

    /// <summary>The run's diagnostic lines but those raised from timings (<see cref="MeasuredCodes"/>), which a loaded machine may add.</summary>
    private static List<JsonNode> Diagnostics(CliRun run) =>
        [.. Lines(run).Where(l => l["kind"]!.GetValue<string>() == "diagnostic" && !MeasuredCodes.Contains(l["code"]?.GetValue<string>()))];

    private string Config(string budgets, string quantize = "{ mode: int8-dynamic }") => temp.WriteMlpConfig(budgets, quantize);

    private string TwoModels() => temp.WriteConfig("""
            version: 1
            models:
              - path: mlp.onnx
                output: out/mlp.onnx
                passes: [{ quantize: { mode: int8-dynamic } }]
                evaluation: { data: test_x_flat.npy, labels: test_labels.npy, limit: 100 }
                budgets: { max_accuracy_drop: 0.01 }
              - path: second.onnx
                output: out/second.onnx
                passes: [{ quantize: { mode: int8-dynamic } }]
                evaluation: { data: test_x_flat.npy, labels: test_labels.npy, limit: 100 }
                budgets: { max_accuracy_drop: 0.01 }
            """);
}
