using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using Xunit;

namespace CompressBuild.Engine.Tests.Budgets;

/// <summary>The rules on given measurements: the speedup interval rule and where an absolute latency counts.</summary>
public class BudgetEvaluatorTests
{
    private static readonly MachineInfo Here = new("aaaaaaaaaaaa", "Test CPU", 2, "linux", "x64", ["avx2"]);
    private static readonly ModelSize Size = new(1000, 900, ["m.onnx"]);
    private static readonly ComparisonResult Metrics = new(10, [new OutputMetrics("logits", true, 10, 1, 1, 0, 0, double.PositiveInfinity, 1, null)]);

    private static LatencyComparison Latency(double ratio, double low, double high, double candidateMedian = 1)
    {
        var stats = LatencyStatistics.FromSamples([candidateMedian]);
        return new LatencyComparison(LatencyStatistics.FromSamples([candidateMedian * ratio]), stats, new SpeedupEstimate(ratio, low, high, 0.95), 1, 1, 0.1, false, [candidateMedian * ratio],
            [candidateMedian]);
    }

    private static List<BudgetCheck> Evaluate(BudgetSet budgets, LatencyComparison latency, List<Advisory>? advisories = null) =>
        [.. BudgetEvaluator.Evaluate(budgets, Metrics, latency, Size, Size, Here, advisories ?? []).Where(c => !c.Name.StartsWith("floor.", StringComparison.Ordinal))];

    [Theory]
    [InlineData(1.02, 0.90, 1.10, 1.05, BudgetStatus.Passed)] // estimate below the budget, but the interval reaches it: noise, not a miss
    [InlineData(0.99, 0.96, 1.00, 1.00, BudgetStatus.Passed)] // wholly below, but within the 3% tolerance
    [InlineData(0.85, 0.80, 0.90, 1.00, BudgetStatus.Failed)] // the whole interval lies below
    [InlineData(2.00, 1.90, 2.10, 1.50, BudgetStatus.Passed)]
    public void A_speedup_budget_is_missed_only_when_the_whole_interval_lies_below_it(double ratio, double low, double high, double budget, BudgetStatus expected)
    {
        var check = Evaluate(new BudgetSet { MinSpeedup = budget }, Latency(ratio, low, high)).Single();

        Assert.Equal(expected, check.Status);
        Assert.Equal(DiagnosticCodes.SpeedupBelowBudget, check.Code);
        Assert.Equal(ratio, check.Measured);
        Assert.Contains($"[{low:0.000}x, {high:0.000}x]", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_absolute_latency_is_reported_not_enforced_on_another_machine()
    {
        var advisories = new List<Advisory>();

        var check = Evaluate(new BudgetSet { MaxLatencyMs = 0.5, LatencyMachine = "bbbbbbbbbbbb" }, Latency(1, 1, 1, candidateMedian: 2), advisories).Single();

        Assert.Equal(BudgetStatus.NotEnforced, check.Status);
        var advisory = Assert.Single(advisories);
        Assert.Equal(DiagnosticCodes.AbsoluteLatencyNotEnforced, advisory.Code);
        Assert.Contains("bbbbbbbbbbbb", advisory.Message, StringComparison.Ordinal);
        Assert.Contains(Here.Id, advisory.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aaaaaaaaaaaa", false)]
    [InlineData(null, true)]
    public void An_absolute_latency_is_enforced_on_its_machine_or_when_asked(string? machine, bool enforceAnywhere)
    {
        var budgets = new BudgetSet { MaxLatencyMs = 0.5, LatencyMachine = machine, EnforceAbsoluteLatency = enforceAnywhere };

        var slow = Evaluate(budgets, Latency(1, 1, 1, candidateMedian: 2)).Single();
        var fast = Evaluate(budgets, Latency(1, 1, 1, candidateMedian: 0.25)).Single();

        Assert.Equal(BudgetStatus.Failed, slow.Status);
        Assert.Equal(DiagnosticCodes.LatencyBudgetMissed, slow.Code);
        Assert.Equal(2, slow.Measured);
        Assert.Equal(BudgetStatus.Passed, fast.Status);
    }
    [Fact]
    public void The_size_ratio_row_compares_ratios_with_the_reference_at_1x()
    {
        var check = Assert.Single(BudgetEvaluator.Evaluate(new BudgetSet { MinSizeRatio = 2 }, Metrics, null, new ModelSize(4_745_517, 0, []), new ModelSize(2_372_000, 0, []), Here, []), c =>
            c.Name == "min-size-ratio");

        Assert.Equal(1.0, check.Reference);
        Assert.Equal("1.000x", BudgetFormat.WithUnit(check.Reference!.Value, check.Unit));
        Assert.Equal(4_745_517 / 2_372_000.0, check.Measured, 9);
    }

    [Fact]
    public void The_max_size_row_states_measured_budget_and_reference_in_MB()
    {
        var check = Assert.Single(BudgetEvaluator.Evaluate(new BudgetSet { MaxSizeMb = 4 }, Metrics, null, new ModelSize(4_745_517, 0, []), new ModelSize(2_372_000, 0, []), Here, []), c =>
            c.Name == "max-size-mb");

        Assert.Equal("MB", check.Unit);
        Assert.Equal(2.372, check.Measured, 9);
        Assert.Equal(4, check.Budget);
        Assert.Equal(4.745517, check.Reference!.Value, 9);
        Assert.Equal(["2.372 MB", "4.000 MB", "4.746 MB"], new[] { check.Measured, check.Budget, check.Reference.Value }.Select(v => BudgetFormat.WithUnit(v, check.Unit)));
        Assert.Equal(BudgetStatus.Passed, check.Status);
    }
}
