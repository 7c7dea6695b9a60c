using System.Text.Json.Nodes;
using CompressBuild.Testing;
using CompressBuild.Tool.Tests.Baselines;
using Xunit;

namespace CompressBuild.Tool.Tests.Commands;

/// <summary>
/// <c>run --baseline-package/--baseline-feed/--baseline-before</c>: the digits MLP, int8-dynamic, held against the
/// baseline a previous release packed, fetched from a local folder feed of real .nupkg files.
/// </summary>
public sealed class RunCommandReleaseBaselineTests : IDisposable
{
    private const string Package = "Contoso.Models";

    private readonly DigitsWorkspace temp = new(DigitsWorkspace.EvaluationFiles);
    private readonly string config;
    private readonly string feed;

    public RunCommandReleaseBaselineTests()
    {
        config = temp.WriteMlpConfig("max_accuracy_drop: 0.01");
        feed = temp.File("feed");
    }

    public void Dispose() => temp.Dispose();

    [Fact]
    public void The_release_recorded_from_the_same_model_holds_and_a_smaller_released_model_is_a_CB1005_regression()
    {
        var recorded = RecordedBaseline();
        Publish("1.0.0", recorded);
        Publish("1.1.0", Shrunk(recorded));
        Publish("1.2.0", Shrunk(recorded));

        var same = Run("--baseline-before", "1.1.0");
        var regressed = Run("--baseline-before", "1.2.0");
        var writtenAfterRegression = File.Exists(temp.File(Path.Combine("out", "mlp.onnx")));
        var warned = Run("--baseline-before", "1.2.0", "--misses-as-warnings");

        Assert.True(same.ExitCode == 0, same.Out);
        Assert.Contains(Lines(same), l => Kind(l) == "progress" && Text(l, "message").Contains($"comparing against {Package} 1.0.0", StringComparison.Ordinal));
        Assert.Equal(2, regressed.ExitCode);
        var error = Diagnostics(regressed).Single();
        Assert.Equal("error", Text(error, "severity"));
        Assert.Equal("CB1005", Text(error, "code"));
        Assert.Contains($"against release {Package} 1.1.0: size", Text(error, "message"), StringComparison.Ordinal);
        Assert.Equal(config, Text(error, "file"));
        Assert.Equal(3, error["line"]!.GetValue<int>()); // the model's entry: a regression is no single budget's fault
        Assert.False(writtenAfterRegression);
        Assert.Equal(0, warned.ExitCode);
        Assert.Equal("warning", Text(Diagnostics(warned).Single(), "severity"));
        Assert.True(File.Exists(temp.File(Path.Combine("out", "mlp.onnx"))));
    }

    [Fact]
    public void No_earlier_release_is_a_progress_line_and_a_missing_feed_is_CB3006_at_exit_3()
    {
        Publish("1.0.0", RecordedBaseline());

        var first = Run("--baseline-before", "1.0.0");
        var missing = CliRun.Of("run", config, "--message-format", "json-lines", "--no-cache",
            "--baseline-package", Package, "--baseline-feed", temp.File("missing-feed"), "--baseline-before", "1.0.0");

        Assert.Equal(0, first.ExitCode);
        Assert.Contains(Lines(first), l => Kind(l) == "progress" && Text(l, "message") == $"no earlier release of {Package} on {feed}; nothing to compare");
        Assert.Equal(3, missing.ExitCode);
        var lines = Lines(missing);
        Assert.Equal("CB3006", Text(lines[0], "code"));
        Assert.Contains(temp.File("missing-feed"), Text(lines[0], "message"), StringComparison.Ordinal);
        Assert.Equal(3, lines[^1]["exitCode"]!.GetValue<int>());
    }

    /// <summary>This model's baseline as a release would pack it, without the speedup: tests do not assert timings.</summary>
    private JsonObject RecordedBaseline()
    {
        var path = temp.File("recorded.json");
        var run = CliRun.Of("run", config, "--message-format", "json-lines", "--no-cache", "--record-baseline", path);
        Assert.True(run.ExitCode == 0, run.Out);
        var document = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        document["models"]!["mlp"]!["speedup"] = null;
        return document;
    }

    private static JsonObject Shrunk(JsonObject recorded)
    {
        var copy = recorded.DeepClone().AsObject();
        var entry = copy["models"]!["mlp"]!;
        entry["sizeBytes"] = entry["sizeBytes"]!.GetValue<long>() / 2;
        return copy;
    }

    private void Publish(string version, JsonObject baseline) =>
        TestPackages.Write(feed, Package, version, new Dictionary<string, string> { ["compressbuild/baselines/mlp.json"] = baseline.ToJsonString() });

    private CliRun Run(params string[] args) =>
        CliRun.Of(["run", config, "--message-format", "json-lines", "--no-cache", "--baseline-package", Package, "--baseline-feed", feed, .. args]);

    private static List<JsonNode> Lines(CliRun run) => [.. run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!)];

    private static string Kind(JsonNode line) => Text(line, "kind");

    /// <summary>The run's diagnostic lines but those raised from timings (<see cref="MeasuredCodes"/>), which a loaded machine may add.</summary>
    private static List<JsonNode> Diagnostics(CliRun run) => [.. Lines(run).Where(l => Kind(l) == "diagnostic" && !MeasuredCodes.Contains(l["code"]?.GetValue<string>()))];

    private static string Text(JsonNode line, string name) => line[name]!.GetValue<string>();
}
