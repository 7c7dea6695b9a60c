using System.Collections.Immutable;
using CompressBuild.Engine.Pipeline.Passes;
using CompressBuild.Engine.Pipeline.Search;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Search;

public class BudgetSearchTests
{
    private const int Layers = 10;

    [Fact]
    public void Requested_passes_that_pass_are_taken_after_one_trial()
    {
        var model = new ModelOfAccuracy(layerDrop: 0.001, sparsityDrop: 0, budget: 0.05);

        var result = BudgetSearch.Run(Plan(("quantize", "int8-static", null)), model, SearchLimits.Default);

        Assert.Single(result.Trials);
        Assert.Same(result.Trials[0], result.Chosen);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(10)]
    public void Finds_the_fewest_float_layers_that_meet_the_accuracy_budget(int needed)
    {
        var model = new ModelOfAccuracy(layerDrop: 0.01, sparsityDrop: 0, budget: 0.01 * (Layers - needed) + 0.0001);

        var result = BudgetSearch.Run(Plan(("quantize", "int8-static", null)), model, SearchLimits.Default);

        Assert.NotNull(result.Chosen);
        Assert.Equal((long)needed, result.Chosen.Plan.Passes[0].Get("keep_float_top"));
        Assert.True(result.Trials.Count <= 1 + (int)Math.Ceiling(Math.Log2(Layers + 1)), $"{result.Trials.Count} trials");
    }

    [Fact]
    public void Lowers_the_sparsity_to_the_largest_step_that_passes_when_float_layers_do_not_help()
    {
        // Pruning alone costs 0.1 per unit of sparsity; the budget allows 0.02 -> sparsity 0.2 of the requested 0.5.
        var model = new ModelOfAccuracy(layerDrop: 0, sparsityDrop: 0.1, budget: 0.02 + 1e-9);

        var result = BudgetSearch.Run(Plan(("prune", null, 0.5), ("quantize", "int8-static", null)), model, SearchLimits.Default);

        Assert.NotNull(result.Chosen);
        Assert.Equal(0.1875, (double)result.Chosen.Plan.Passes[0].Get("sparsity")!, 6);
        Assert.Contains(result.Trials, t => t.Plan.Origin.StartsWith("keep the", StringComparison.Ordinal));
    }

    [Fact]
    public void Falls_back_to_cheaper_modes_only_when_nothing_else_passes_and_lists_every_trial_when_none_does()
    {
        var impossible = new ModelOfAccuracy(layerDrop: 0.5, sparsityDrop: 0.5, budget: -1);

        var result = BudgetSearch.Run(Plan(("prune", null, 0.5), ("quantize", "int8-static", null)), impossible, SearchLimits.Default with { MaxTrials = 100 });

        Assert.Null(result.Chosen);
        Assert.Equal("no candidate meets every budget", result.StopReason);
        Assert.Equal(["fallback: int8-dynamic without pruning", "fallback: fp16 without pruning"], result.Trials.TakeLast(2).Select(t => t.Plan.Origin));
        Assert.Equal(result.Trials.Count, result.Trials.Select(t => t.Plan.Describe()).Distinct().Count());
    }

    [Fact]
    public void Stops_at_max_trials_and_at_the_timeout()
    {
        var impossible = new ModelOfAccuracy(layerDrop: 0.5, sparsityDrop: 0.5, budget: -1);
        var plan = Plan(("prune", null, 0.5), ("quantize", "int8-static", null));

        var capped = BudgetSearch.Run(plan, impossible, new SearchLimits(3, TimeSpan.FromHours(1)));
        var clock = new SteppingClock(TimeSpan.FromSeconds(1));
        var timed = BudgetSearch.Run(plan, new ModelOfAccuracy(0.5, 0.5, -1, clock), new SearchLimits(100, TimeSpan.FromSeconds(4.5)), clock);

        Assert.Equal(3, capped.Trials.Count);
        Assert.Equal("reached max_trials (3)", capped.StopReason);
        Assert.StartsWith("reached the timeout", timed.StopReason, StringComparison.Ordinal);
        Assert.Equal(5, timed.Trials.Count); // trials start at 0, 1, 2, 3 and 4 s; the sixth would start at 5 s, past 4.5 s
    }

    [Fact]
    public void Of_several_passing_candidates_the_smallest_is_chosen()
    {
        var model = new ModelOfAccuracy(layerDrop: 0.01, sparsityDrop: 0, budget: 0.0751);

        var result = BudgetSearch.Run(Plan(("quantize", "int8-static", null)), model, SearchLimits.Default);

        var passing = result.Trials.Where(t => t.Outcome.Passed).ToList();
        Assert.True(passing.Count >= 2);
        Assert.Equal(passing.Min(t => t.Outcome.SizeBytes), result.Chosen!.Outcome.SizeBytes);
    }

    private static CandidatePlan Plan(params (string Kind, string? Mode, double? Sparsity)[] passes) =>
        new(passes.Select(p =>
        {
            var settings = ImmutableSortedDictionary.Create<string, object>(StringComparer.Ordinal);
            settings = p.Mode is null ? settings.Add("method", "channel") : settings.Add("mode", p.Mode);
            return new PassPlan(PassRegistry.Find(p.Kind)!, p.Sparsity is { } s ? settings.Add("sparsity", s) : settings);
        }).ToList(), "requested");

    [Fact]
    public void A_search_stops_inside_a_long_trial_within_a_tenth_of_its_timeout()
    {
        // On an injected clock that only the trial's own work moves (5 ms a step), so what is checked is where the deadline
        // stops the trial, not how much CPU a loaded machine gave the test: on the wall clock a 10 s search once took 12-14 s.
        var timeout = TimeSpan.FromSeconds(10);
        var clock = new SteppingClock(TimeSpan.FromMilliseconds(5));
        var trial = new EndlessTrial(clock);

        var result = BudgetSearch.Run(Plan(("quantize", "int8-static", null)), trial, SearchLimits.Default with { Timeout = timeout }, clock);

        var elapsed = clock.GetElapsedTime(0);
        Assert.True(trial.Started, "the trial never ran: nothing was stopped inside it");
        Assert.True(elapsed >= timeout && elapsed < timeout * 1.1, $"stopped after {elapsed.TotalSeconds:0.00} s of a {timeout.TotalSeconds} s timeout");
        Assert.Empty(result.Trials);
        Assert.Null(result.Chosen);
        Assert.Contains("timeout", result.StopReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trials_that_change_nothing_are_listed_as_skipped_and_not_counted_against_max_trials()
    {
        // Keeping 5 or more of the 10 layers float is reported as changing nothing; within 3 verified trials
        // (the request, keep 2, keep 3) the search must still find keep 3.
        var model = new SkippingModel(new ModelOfAccuracy(layerDrop: 0.01, sparsityDrop: 0, budget: 0.07 + 0.0001), skipFrom: 5);

        var result = BudgetSearch.Run(Plan(("quantize", "int8-static", null)), model, SearchLimits.Default with { MaxTrials = 3 });

        Assert.NotNull(result.Chosen);
        Assert.Equal(3L, result.Chosen.Plan.Passes[0].Get("keep_float_top"));
        var skipped = Assert.Single(result.Trials, t => t.Outcome.SkippedBecause is not null);
        Assert.Equal(5L, skipped.Plan.Passes[0].Get("keep_float_top"));
        Assert.Equal(3, result.Trials.Count(t => t.Outcome.SkippedBecause is null));
    }

    /// <summary>
    /// A trial whose work never ends unless the search's deadline stops it, as a long calibration would: each step of work
    /// moves <paramref name="clock"/> by its step and checks the deadline, as the engine's loops do.
    /// </summary>
    private sealed class EndlessTrial(SteppingClock clock) : ICandidateEvaluator
    {
        public bool Started { get; private set; }

        public TrialOutcome Evaluate(CandidatePlan plan)
        {
            Started = true;
            var start = clock.GetTimestamp();
            while (clock.GetElapsedTime(start) < TimeSpan.FromSeconds(60))
            {
                CompressBuild.Engine.Diagnostics.Deadline.ThrowIfExpired();
                clock.Step();
            }

            throw new InvalidOperationException("the deadline never came");
        }
    }

    /// <summary>Reports trials keeping <paramref name="skipFrom"/> or more layers float as skipped, as the pipeline does for a candidate that changes nothing.</summary>
    private sealed class SkippingModel(ICandidateEvaluator inner, long skipFrom) : ICandidateEvaluator
    {
        public TrialOutcome Evaluate(CandidatePlan plan) =>
            plan.Passes[0].Get("keep_float_top") is long keep && keep >= skipFrom ? TrialOutcome.Skipped("it changes nothing", 1_000_000) : inner.Evaluate(plan);
    }

    /// <summary>
    /// A model whose accuracy drop is known in closed form: each quantized layer costs <c>layerDrop</c>, each unit of
    /// sparsity <c>sparsityDrop</c>; fp16 and int8-dynamic cost nothing but are larger. Size falls with compression.
    /// </summary>
    private sealed class ModelOfAccuracy(double layerDrop, double sparsityDrop, double budget, SteppingClock? clock = null) : ICandidateEvaluator
    {
        public TrialOutcome Evaluate(CandidatePlan plan)
        {
            clock?.Step();
            var quantize = plan.Passes.FirstOrDefault(p => p.Pass == PassRegistry.Quantize);
            var prune = plan.Passes.FirstOrDefault(p => p.Pass == PassRegistry.Prune);
            var mode = quantize?.Get("mode") as string;
            var keep = (long)(quantize?.Get("keep_float_top") ?? 0L);
            var sparsity = (double)(prune?.Get("sparsity") ?? 0.0);
            var quantized = mode is "int8-static" ? Layers - (int)keep : 0;
            var drop = budget < 0 ? 1 : (quantized * layerDrop) + (sparsity * sparsityDrop);
            var size = (long)(1_000_000 * (1 - sparsity) * (mode == "fp16" ? 0.5 : 1 - (0.07 * quantized)));
            var passed = drop <= budget;
            return new TrialOutcome(passed, !passed, passed ? [] : [$"CB1001 drop {drop}"], size, quantized);
        }
    }

    private sealed class SteppingClock(TimeSpan step) : TimeProvider
    {
        private long ticks;

        public void Step() => ticks += step.Ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => ticks;
    }
}
