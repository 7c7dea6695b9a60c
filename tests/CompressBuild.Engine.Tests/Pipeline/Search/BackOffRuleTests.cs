using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Pipeline.Search;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Search;

/// <summary>
/// The search backs off (more float, less pruning) on the misses the evaluator and the baseline comparer mark as
/// fidelity, whatever their names; size and speed misses need another plan.
/// </summary>
public sealed class BackOffRuleTests
{
    private static readonly MachineInfo Here = new("aaaaaaaaaaaa", "Test CPU", 2, "linux", "x64", ["avx2"]);
    private static readonly ModelSize Reference = new(4_000_000, 3_600_000, ["ref.onnx"]);
    private static readonly ModelSize Candidate = new(1_000_000, 900_000, ["cand.onnx"]);

    // A classifier whose candidate agrees on 95% of samples and lost two points of top-1 accuracy.
    private static readonly ComparisonResult Metrics = new(100,
        [new OutputMetrics("logits", true, 100, 0.995, 0.97, 1e-3, 0.2, 25, 0.95, new AccuracyPair(5, 0.92, 0.90, 0.99, 0.99))]);

    private static readonly LatencyComparison Latency = new(LatencyStatistics.FromSamples([2.0]), LatencyStatistics.FromSamples([1.0]),
        new SpeedupEstimate(2.0, 1.9, 2.1, 0.95), 1, 1, 0.1, false, [2.0], [1.0]);

    private static List<BudgetCheck> Misses(BudgetSet budgets) =>
        [.. BudgetEvaluator.Evaluate(budgets, Metrics, Latency, Reference, Candidate, Here, []).Where(c => c.Status == BudgetStatus.Failed)];

    [Fact]
    public void Size_and_speed_misses_alone_do_not_back_off()
    {
        var misses = Misses(new BudgetSet { MaxSizeMb = 0.5, MinSizeRatio = 10, MinSpeedup = 3 });

        Assert.Equal(["min-speedup", "max-size-mb", "min-size-ratio"], misses.Select(m => m.Name));
        Assert.False(BackOffRule.Applies(misses));
    }

    [Theory]
    [InlineData(0.01, null)] // the accuracy dropped 2 points
    [InlineData(null, 0.99)] // 95% agreement
    public void An_accuracy_or_agreement_miss_backs_off_even_beside_a_size_miss(double? maxDrop, double? minAgreement)
    {
        var misses = Misses(new BudgetSet { MaxAccuracyDrop = maxDrop, MinAgreement = minAgreement, MaxSizeMb = 0.5 });

        Assert.Equal(2, misses.Count);
        Assert.True(BackOffRule.Applies(misses));
    }

    [Fact]
    public void A_baseline_regression_backs_off_on_accuracy_not_on_size_or_speed()
    {
        var baseline = new BaselineEntry("ref.onnx", 100, 0.95, 0.92, 0.99, 0.999, 30, 3.0, 0.6, 500_000, 450_000, Here, "1.0.0", "1.22.0 (cpu)");
        var checks = BaselineComparer.Compare(baseline, new BaselineTolerances(), Metrics, Latency, Candidate, Here, []);
        var failed = checks.Where(c => c.Status == BudgetStatus.Failed).ToList();

        Assert.Equal(["baseline.accuracy", "baseline.agreement", "baseline.size", "baseline.speedup"], failed.Select(c => c.Name));
        Assert.True(BackOffRule.Applies(failed));
        Assert.False(BackOffRule.Applies(failed.Where(c => c.Name is "baseline.size" or "baseline.speedup")));
    }
}
