using CompressBuild.Engine.Pipeline;
using CompressBuild.Engine.Pipeline.Passes;
using CompressBuild.Engine.Pipeline.Search;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline;

public sealed class TrialJsonTests
{
    [Fact]
    public void Each_trial_is_written_with_its_plan_verdict_misses_and_whether_it_was_chosen()
    {
        var plan = new CandidatePlan([new PassPlan(PassRegistry.Quantize).With("mode", "fp16")], "fallback: fp16 without pruning");
        var missed = new Trial(1, plan, new TrialOutcome(false, true, ["CB1001: top-1 dropped"], 2000, 3), TimeSpan.Zero);
        var skipped = new Trial(2, plan, TrialOutcome.Skipped("it changes nothing", 1500), TimeSpan.Zero);
        var chosen = new Trial(3, plan, new TrialOutcome(true, false, [], 1000, 3), TimeSpan.Zero);

        var json = TrialJson.Build([missed, skipped, chosen], chosen);

        Assert.Equal(3, json.Count);
        Assert.Equal("quantize(mode=fp16)", (string?)json[0]!["passes"]);
        Assert.Equal("fallback: fp16 without pruning", (string?)json[0]!["origin"]);
        Assert.Equal("CB1001: top-1 dropped", (string?)json[0]!["misses"]![0]);
        Assert.False((bool)json[0]!["passed"]!);
        Assert.Equal("it changes nothing", (string?)json[1]!["skipped"]);
        Assert.Equal(1000L, (long)json[2]!["sizeBytes"]!);
        Assert.Equal([false, false, true], json.Select(t => (bool)t!["chosen"]!));
    }
}
