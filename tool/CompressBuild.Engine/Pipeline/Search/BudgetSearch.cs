using System.Globalization;
using CompressBuild.Engine.Pipeline.Passes;
using CompressBuild.Engine.Quantization;

namespace CompressBuild.Engine.Pipeline.Search;

/// <summary>
/// Finds the most compressed candidate that meets every budget, in an order a user can follow:
/// <list type="number">
/// <item>the requested passes;</item>
/// <item>on an accuracy miss with a quantize pass: binary search on how many of the most sensitive layers stay in
/// float (<c>keep_float_top</c>), fewest first;</item>
/// <item>still failing with a prune pass: binary search for the largest sparsity below the requested one that
/// passes;</item>
/// <item>on a min_speedup miss of int8-static without latency_aware (off by default): the same plan with it on;</item>
/// <item>only when nothing passed: the fallback modes of <see cref="QuantizationModes.Fallbacks"/> (int8-dynamic,
/// then fp16) without pruning.</item>
/// </list>
/// Bounded by <see cref="SearchLimits"/>; of the trials that passed, the smallest model wins (ties: the earlier).
/// </summary>
public sealed class BudgetSearch
{
    /// <summary>Sparsity is searched on this many steps between 0 and the requested value.</summary>
    public const int SparsitySteps = 8;

    private readonly ICandidateEvaluator evaluator;
    private readonly SearchLimits limits;
    private readonly TimeProvider clock;
    private readonly List<Trial> trials = [];
    private readonly long started;
    private string? stop;

    private BudgetSearch(ICandidateEvaluator evaluator, SearchLimits limits, TimeProvider clock)
    {
        this.evaluator = evaluator;
        this.limits = limits;
        this.clock = clock;
        started = clock.GetTimestamp();
    }

    public static SearchResult Run(CandidatePlan requested, ICandidateEvaluator evaluator, SearchLimits limits, TimeProvider? clock = null)
    {
        var search = new BudgetSearch(evaluator, limits, clock ?? TimeProvider.System);

        // The timeout bounds the whole search, the trial under way included: its long loops watch this deadline.
        using var timeout = new CancellationTokenSource(limits.Timeout, search.clock);
        string reason;
        using (Diagnostics.Deadline.Enter(timeout, limits.Timeout, search.clock))
        {
            reason = search.Explore(requested);
        }

        var chosen = search.trials.Where(t => t.Outcome.Passed).OrderBy(t => t.Outcome.SizeBytes).ThenBy(t => t.Number).FirstOrDefault();
        return new SearchResult(chosen, search.trials, search.stop ?? reason);
    }

    private string Explore(CandidatePlan requested)
    {
        var first = Try(requested);
        if (first is null)
        {
            return "stopped";
        }

        if (first.Outcome.Passed)
        {
            return "the requested passes meet every budget";
        }

        if (!first.Outcome.AccuracyMissed)
        {
            // More float layers or less pruning only recover accuracy; a size or speed miss needs another plan.
            if (SpeedMissed(first) && KeepSlowNodesFloat(requested))
            {
                return "kept float the nodes that run slower quantized on this machine";
            }

            return FallBack(requested) ? "a cheaper fallback meets every budget" : "the requested passes miss a size or speed budget, and no fallback meets every budget";
        }

        var quantize = requested.IndexOf(PassRegistry.Quantize);
        if (quantize >= 0 && QuantizationModes.All.Find(requested.Passes[quantize].Text("mode")) is { KeepsLayersFloat: true } && first.Outcome.QuantizedLayers > 0)
        {
            if (SearchFloatLayers(requested, quantize, first.Outcome.QuantizedLayers))
            {
                return "kept the most sensitive layers in float";
            }
        }

        var prune = requested.IndexOf(PassRegistry.Prune);
        if (prune >= 0 && requested.Passes[prune].Get("sparsity") is double sparsity && sparsity > 0)
        {
            if (SearchSparsity(requested, prune, sparsity))
            {
                return "lowered the sparsity";
            }
        }

        return FallBack(requested) ? "a cheaper fallback meets every budget" : "no candidate meets every budget";
    }

    private bool SearchFloatLayers(CandidatePlan requested, int quantize, int layers)
    {
        var found = false;
        for (int low = 1, high = layers; low <= high && stop is null;)
        {
            var keep = low + ((high - low) / 2);
            var plan = requested.Replace(quantize, requested.Passes[quantize].With("keep_float_top", (long)keep), $"keep the {keep} most sensitive of {layers} layers in float");
            if (Try(plan) is not { } trial)
            {
                break;
            }

            if (trial.Outcome.Passed)
            {
                found = true;
                high = keep - 1;
            }
            else if (trial.Outcome.AccuracyMissed)
            {
                low = keep + 1;
            }
            else
            {
                high = keep - 1;
            }
        }

        return found;
    }

    private bool SearchSparsity(CandidatePlan requested, int prune, double requestedSparsity)
    {
        var found = false;
        for (int low = 1, high = SparsitySteps - 1; low <= high && stop is null;)
        {
            var step = low + ((high - low) / 2);
            var sparsity = Math.Round(requestedSparsity * step / SparsitySteps, 4);
            var plan = requested.Replace(prune, requested.Passes[prune].With("sparsity", sparsity),
                $"sparsity {sparsity.ToString("0.####", CultureInfo.InvariantCulture)} (requested " +
                $"{requestedSparsity.ToString("0.####", CultureInfo.InvariantCulture)})");
            if (Try(plan) is not { } trial)
            {
                break;
            }

            if (trial.Outcome.Passed)
            {
                found = true;
                low = step + 1;
            }
            else if (trial.Outcome.AccuracyMissed)
            {
                high = step - 1;
            }
            else
            {
                low = step + 1;
            }
        }

        return found;
    }

    private static bool SpeedMissed(Trial trial) =>
        trial.Outcome.Misses.Any(m => m.StartsWith(Diagnostics.DiagnosticCodes.SpeedupBelowBudget.Id, StringComparison.Ordinal));

    /// <summary>
    /// A speed miss of int8-static with latency_aware turned off: first the same plan with it on (the nodes whose
    /// int8 kernels run slower than float on this machine stay float), before any cheaper fallback. With it on,
    /// as by default, the requested trial already was that candidate.
    /// </summary>
    private bool KeepSlowNodesFloat(CandidatePlan requested)
    {
        var quantize = requested.IndexOf(PassRegistry.Quantize);
        if (quantize < 0 || requested.Passes[quantize].Text("mode") != QuantizationModes.Int8Static.Name || requested.Passes[quantize].Get("latency_aware") is true)
        {
            return false;
        }

        var plan = requested.Replace(quantize, requested.Passes[quantize].With("latency_aware", true), "keep float the nodes that run slower quantized (latency_aware)");
        return Try(plan) is { Outcome.Passed: true };
    }

    private bool FallBack(CandidatePlan requested)
    {
        var quantize = requested.IndexOf(PassRegistry.Quantize);
        if (quantize < 0)
        {
            return false;
        }

        var mode = requested.Passes[quantize].Text("mode");
        foreach (var fallback in QuantizationModes.Fallbacks.Where(m => m.Name != mode))
        {
            var pass = new PassPlan(PassRegistry.Quantize).With("mode", fallback.Name);
            if (Try(new CandidatePlan([pass], $"fallback: {fallback.Name} without pruning")) is not { } trial)
            {
                return false;
            }

            if (trial.Outcome.Passed)
            {
                return true;
            }
        }

        return false;
    }

    private Trial? Try(CandidatePlan plan)
    {
        if (stop is not null)
        {
            return null;
        }

        if (trials.Count(t => t.Outcome.SkippedBecause is null) >= limits.MaxTrials)
        {
            stop = $"reached max_trials ({limits.MaxTrials})";
            return null;
        }

        if (clock.GetElapsedTime(started) >= limits.Timeout)
        {
            stop = $"reached the timeout ({limits.Timeout})";
            return null;
        }

        // The same plan twice (e.g. a fallback equal to the request) costs nothing: reuse its trial.
        var description = plan.Describe();
        if (trials.FirstOrDefault(t => t.Plan.Describe() == description) is { } earlier)
        {
            return earlier;
        }

        var before = clock.GetTimestamp();
        TrialOutcome outcome;
        try
        {
            outcome = evaluator.Evaluate(plan);
        }
        catch (OperationCanceledException) when (Diagnostics.Deadline.Current.IsCancellationRequested)
        {
            stop = $"reached the timeout ({limits.Timeout}) during '{plan.Origin}', which was abandoned";
            return null;
        }

        var trial = new Trial(trials.Count + 1, plan, outcome, clock.GetElapsedTime(before));
        trials.Add(trial);
        return trial;
    }
}
