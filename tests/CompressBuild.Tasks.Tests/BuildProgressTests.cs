using CompressBuild.Protocol;
using Xunit;

namespace CompressBuild.Tasks.Tests;

public class BuildProgressTests
{
    [Fact]
    public void Steps_and_trials_read_trial_n_of_m()
    {
        var progress = new BuildProgress();

        var started = progress.Describe(Progress("compressing det.onnx: fp16", "started", trials: 12), "compressing det.onnx: fp16");
        var step = progress.Describe(Progress("requested: verifying against the original", "step"), "requested: verifying against the original");
        var done = progress.Describe(Progress("trial 1: requested: missed min_cosine", "trial", trial: 1), "trial 1: requested: missed MinCosine");
        var next = progress.Describe(Progress("fallback: applying fp16", "step"), "fallback: applying fp16");

        Assert.Equal("det: compressing det.onnx: fp16 (searching, at most 12 trials)", started);
        Assert.Equal("det: trial 1 of at most 12: requested: verifying against the original", step);
        Assert.Equal("det: trial 1 of at most 12 done: requested: missed MinCosine", done);
        Assert.Equal("det: trial 2 of at most 12: fallback: applying fp16", next);
        Assert.Equal("det: no candidate meets every budget", progress.Describe(Progress("no candidate meets every budget", "finished"), "no candidate meets every budget"));
    }

    [Fact]
    public void A_quiet_engine_gets_a_still_line_once_per_interval()
    {
        var progress = new BuildProgress();
        progress.Describe(Progress("requested: applying prune", "step"), "requested: applying prune");

        Assert.Null(progress.Quiet(TimeSpan.FromHours(1)));
        var still = progress.Quiet(TimeSpan.Zero);

        Assert.NotNull(still);
        Assert.StartsWith("det: still requested: applying prune (", still, StringComparison.Ordinal);
        progress.Stop();
        Assert.Null(progress.Quiet(TimeSpan.Zero));
    }

    private static EngineMessage Progress(string text, string stage, int? trial = null, int? trials = null) => new()
    {
        Kind = EngineMessageKind.Progress,
        Model = "det",
        Message = text,
        Stage = stage,
        Trial = trial,
        Trials = trials,
    };
}
