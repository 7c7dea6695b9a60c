using System.Text.Json.Nodes;
using CompressBuild.Engine.Pipeline.Cache;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tool.Tests.Commands;

/// <summary>
/// <c>dotnet compress run --cache-url</c> as CI agents run it: separate processes, each in its own checkout folder
/// with its own empty local cache, sharing only the remote store (Azurite or s3rver).
/// </summary>
public sealed class RunCommandRemoteCacheTests(StorageEmulators emulators) : IClassFixture<StorageEmulators>, IDisposable
{
    private readonly DigitsWorkspace temp = Project();

    public void Dispose() => temp.Dispose();

    [StorageEmulatorTheory]
    [InlineData(StorageEmulatorKind.Azurite)]
    [InlineData(StorageEmulatorKind.S3rver)]
    public async Task Eight_agents_on_one_key_all_succeed_and_a_ninth_restores_the_result_from_the_remote_cache(StorageEmulatorKind kind)
    {
        var emulator = emulators.Get(kind);
        var url = emulator.CacheUrl(Guid.NewGuid().ToString("N")[..12]);

        var agents = Enumerable.Range(1, 8).Select(i => Task.Run(() => Agent($"agent{i}", url, emulator))).ToArray();
        var runs = await Task.WhenAll(agents);
        var ninth = Agent("agent9", url, emulator);

        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.Out + r.Error));
        // Codes raised from timings (CB4051, a noisy latency interval) depend on machine load, not on the cache: every other diagnostic fails the test.
        Assert.All(runs, r => Assert.DoesNotContain(Lines(r), IsCacheRelevantDiagnostic));
        var output = File.ReadAllBytes(temp.File("agent1/out/mlp.onnx"));
        Assert.All(Enumerable.Range(2, 8), i => Assert.Equal(output, File.ReadAllBytes(temp.File($"agent{i}/out/mlp.onnx"))));
        // The ninth's whole output on any failure: a miss alone does not say whether the remote was damaged, slow or empty.
        Assert.True(ninth.ExitCode == 0, ninth.Out + ninth.Error);
        Assert.False(Lines(ninth).Any(IsCacheRelevantDiagnostic), ninth.Out + ninth.Error);
        var summary = Lines(ninth).Single(l => l["kind"]!.GetValue<string>() == "summary")["text"]!.GetValue<string>();
        Assert.True(summary.EndsWith(", from the remote cache", StringComparison.Ordinal), ninth.Out + ninth.Error);
        Assert.Contains(Lines(ninth), l => l["kind"]!.GetValue<string>() == "progress" && l["message"]!.GetValue<string>().StartsWith("remote cache hit for requested: ", StringComparison.Ordinal));
    }

    [StorageEmulatorFact]
    public void A_remote_that_refuses_the_credentials_is_one_warning_and_the_run_passes()
    {
        var emulator = emulators.Get(StorageEmulatorKind.Azurite);

        var run = Agent("refused", emulator.CacheUrl("refused"), emulator, wrongCredentials: true);

        Assert.Equal(0, run.ExitCode);
        var diagnostic = Assert.Single(Lines(run), IsCacheRelevantDiagnostic);
        Assert.Equal("warning", diagnostic["severity"]!.GetValue<string>());
        Assert.Equal("CB4103", diagnostic["code"]!.GetValue<string>());
    }

    [Fact]
    public void An_unknown_cache_url_scheme_is_error_CB3030_with_exit_3()
    {
        var folder = Checkout("bad-url");

        var run = CliRun.Of("run", Path.Combine(folder, "compress.yaml"), "--cache-dir", temp.File("bad-url-cache"), "--cache-url", "gs://bucket/prefix");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("error CB3030: cache URL 'gs://bucket/prefix' is not usable", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Cache_max_size_trims_the_local_cache_after_the_run_has_written_its_output()
    {
        var folder = Checkout("trimmed");
        var cache = Path.Combine(folder, "local-cache");

        var run = CliRun.Of("run", Path.Combine(folder, "compress.yaml"), "--cache-dir", cache, "--cache-max-size", "1KB");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.True(File.Exists(Path.Combine(folder, "out", "mlp.onnx")));
        Assert.Contains("local cache trimmed to its size limit: 1 least recently used entries removed", run.Error, StringComparison.Ordinal);
        Assert.Empty(new ContentCache(cache).Entries());
    }

    /// <summary>One CI agent: its own copy of the project and its own local cache, the MSBuild task's message format.</summary>
    private CliRun Agent(string name, string url, StorageEmulator emulator, bool wrongCredentials = false)
    {
        var folder = Checkout(name);
        var environment = emulator.Environment(wrongCredentials);
        environment[CacheSettings.UrlVariable] = url;
        return ToolProcess.Run(["run", Path.Combine(folder, "compress.yaml"), "--cache-dir", Path.Combine(folder, "local-cache"), "--message-format", "json-lines"], environment);
    }

    private string Checkout(string name) => temp.Checkout(name);

    /// <summary>The project every agent checks out: the digits MLP, int8-dynamic, a 5-point accuracy budget.</summary>
    private static DigitsWorkspace Project()
    {
        var project = new DigitsWorkspace(DigitsWorkspace.EvaluationFiles);
        project.WriteMlpConfig("max_accuracy_drop: 0.05");
        return project;
    }

    private static List<JsonNode> Lines(CliRun run) =>
        [.. run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => JsonNode.Parse(l)!)];

    private static bool IsCacheRelevantDiagnostic(System.Text.Json.Nodes.JsonNode l) =>
        l["kind"]!.GetValue<string>() == "diagnostic" && !MeasuredCodes.Contains(l["code"]?.GetValue<string>());
}
