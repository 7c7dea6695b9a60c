using System.Collections.Immutable;
using CompressBuild.Engine.Pipeline.Passes;
using CompressBuild.Engine.Pipeline.Search;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Search;

public sealed class LatencyAwareSearchTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(null)]
    public void A_speed_miss_with_latency_aware_off_is_retried_with_it_on_before_any_fallback(bool? latencyAware)
    {
        var model = new SpeedOfLatencyAware();

        var result = BudgetSearch.Run(Plan(latencyAware), model, SearchLimits.Default);

        Assert.NotNull(result.Chosen);
        Assert.Equal(2, result.Trials.Count);
        Assert.Equal(true, result.Chosen.Plan.Passes[0].Get("latency_aware"));
        Assert.Equal("kept float the nodes that run slower quantized on this machine", result.StopReason);
    }

    [Fact]
    public void A_speed_miss_with_latency_aware_already_on_goes_straight_to_the_fallbacks()
    {
        var model = new SpeedOfLatencyAware(latencyAwareIsFastEnough: false);

        var result = BudgetSearch.Run(Plan(latencyAware: true), model, SearchLimits.Default);

        Assert.Equal(["requested", "fallback: int8-dynamic without pruning", "fallback: fp16 without pruning"], result.Trials.Select(t => t.Plan.Origin));
    }

    private static CandidatePlan Plan(bool? latencyAware)
    {
        var settings = ImmutableSortedDictionary.Create<string, object>(StringComparer.Ordinal).Add("mode", "int8-static");
        return new([new PassPlan(PassRegistry.Quantize, latencyAware is { } on ? settings.Add("latency_aware", on) : settings)], "requested");
    }

    /// <summary>int8-static meets min_speedup only with latency_aware on (when that is fast enough); every other candidate is too slow.</summary>
    private sealed class SpeedOfLatencyAware(bool latencyAwareIsFastEnough = true) : ICandidateEvaluator
    {
        public TrialOutcome Evaluate(CandidatePlan plan)
        {
            var pass = plan.Passes[0];
            var passed = latencyAwareIsFastEnough && pass.Get("mode") as string == "int8-static" && pass.Get("latency_aware") is true;
            return new TrialOutcome(passed, false, passed ? [] : ["CB1002: speedup 0.78x below min_speedup 1.0"], 1000, 10);
        }
    }
}
