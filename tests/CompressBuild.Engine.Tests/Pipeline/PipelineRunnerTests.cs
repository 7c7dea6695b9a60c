using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pipeline;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline;

/// <summary>
/// A compress.yaml run through <see cref="PipelineRunner"/> directly, below the CLI: real int8-dynamic quantization of
/// the trained digits MLP, verified on held-out digits, with its progress events, results, written files and cache.
/// </summary>
public sealed class PipelineRunnerTests : IDisposable
{
    private readonly DigitsWorkspace workspace = new(DigitsWorkspace.EvaluationFiles);

    public void Dispose() => workspace.Dispose();

    [Fact]
    public void A_passing_run_writes_the_model_and_reports_and_a_second_run_is_a_cache_hit_with_the_same_bytes()
    {
        var config = CompressConfigLoader.Load(workspace.WriteMlpConfig("max_accuracy_drop: 0.01"));
        var reports = workspace.File("reports");

        var (first, firstEvents) = Run(config, reports);
        var written = File.ReadAllBytes(workspace.Output);
        File.Delete(workspace.Output);
        var (second, secondEvents) = Run(config, reports);

        Assert.True(first.Passed);
        Assert.Equal(ExitCodes.Ok, first.ExitCode);
        var model = Assert.Single(first.Models);
        Assert.Equal("mlp", model.Name);
        Assert.Equal(workspace.Output, model.Output);
        Assert.Equal(0, model.CacheHits);
        var trial = Assert.Single(model.Trials);
        Assert.Same(trial, model.Chosen);
        Assert.True(trial.Outcome.Passed);
        Assert.Empty(trial.Outcome.Misses);
        Assert.Equal(written.Length, trial.Outcome.SizeBytes);
        Assert.True(written.Length < new FileInfo(workspace.File("mlp.onnx")).Length / 2, $"{written.Length} bytes");
        Assert.DoesNotContain(OnnxModelReader.Load(workspace.Output).Graph.Node, n => n.OpType == "Gemm"); // every Gemm runs quantized
        Assert.Equal(workspace.Output, model.Verification!.Candidate);

        // Events: started (one trial allowed, search off), the trial, finished; all about this model.
        Assert.All(firstEvents, e => Assert.Equal("mlp", e.Model));
        Assert.Equal(PipelineEventKind.Started, firstEvents[0].Kind);
        Assert.Equal(1, firstEvents[0].TrialLimit);
        Assert.Contains(firstEvents, e => e.Kind == PipelineEventKind.Trial && e.Trial == 1 && e.Message.Contains("meets every budget", StringComparison.Ordinal));
        Assert.Equal(PipelineEventKind.Finished, firstEvents[^1].Kind);
        Assert.StartsWith($"wrote {workspace.Output}", firstEvents[^1].Message, StringComparison.Ordinal);
        Assert.DoesNotContain(firstEvents, e => e.Message.StartsWith("cache hit", StringComparison.Ordinal));

        // Reports: every one the run names exists, under the report folder.
        Assert.NotEmpty(first.Reports);
        Assert.All(first.Reports, r => Assert.True(File.Exists(r), r));
        Assert.All(first.Reports, r => Assert.StartsWith(reports, r, StringComparison.Ordinal));
        Assert.Contains(first.Reports, r => r.EndsWith(Path.Combine("mlp", "mlp.verify.json"), StringComparison.Ordinal));

        Assert.True(second.Passed);
        Assert.Equal(1, second.Models[0].CacheHits);
        Assert.Contains(secondEvents, e => e.Message == "cache hit for requested");
        Assert.Equal(written, File.ReadAllBytes(workspace.Output));
    }

    [Fact]
    public void A_budget_miss_exits_2_names_the_miss_writes_nothing_and_removes_an_earlier_output()
    {
        var config = CompressConfigLoader.Load(workspace.WriteMlpConfig("min_size_ratio: 100"));
        Directory.CreateDirectory(Path.GetDirectoryName(workspace.Output)!);
        File.WriteAllText(workspace.Output, "left by an earlier, passing run");

        var (result, events) = Run(config, reportDirectory: null);

        Assert.False(result.Passed);
        Assert.Equal(ExitCodes.BudgetMissed, result.ExitCode);
        var model = Assert.Single(result.Models);
        Assert.Null(model.Output);
        Assert.Null(model.Chosen);
        Assert.False(model.Broken);
        var miss = Assert.Single(model.Shown.Outcome.Misses);
        Assert.Contains(DiagnosticCodes.SizeBudgetMissed.Id, miss, StringComparison.Ordinal);
        Assert.False(File.Exists(workspace.Output));
        Assert.Contains(events, e => e.Message == $"removed {workspace.Output} from an earlier run: no candidate passes now");
        Assert.Equal(PipelineEventKind.Finished, events[^1].Kind);
        Assert.Contains("nothing written", events[^1].Message, StringComparison.Ordinal);
        Assert.Empty(result.Reports);
    }

    private (PipelineResult Result, List<PipelineEvent> Events) Run(CompressConfig config, string? reportDirectory)
    {
        var events = new List<PipelineEvent>();
        var result = PipelineRunner.Run(config, new PipelineOptions
        {
            CacheDirectory = workspace.Cache,
            ReportDirectory = reportDirectory,
            Progress = e =>
            {
                lock (events)
                {
                    events.Add(e);
                }
            },
        });
        return (result, events);
    }
}
