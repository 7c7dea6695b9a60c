using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using Xunit;

namespace CompressBuild.Engine.Tests.Budgets;

/// <summary>The fidelity check every model gets: broken outputs fail whatever the budgets, default floors apply where no budget does.</summary>
public class FidelityFloorsTests
{
    private static readonly MachineInfo Here = new("aaaaaaaaaaaa", "Test CPU", 2, "linux", "x64", ["avx2"]);
    private static readonly ModelSize Size = new(1000, 900, ["m.onnx"]);

    /// <summary>Metrics of one output measured by the real comparison on the given reference and candidate samples.</summary>
    private static ComparisonResult Measure(float[][] reference, float[][] candidate, int classes = 0)
    {
        var comparison = new OutputComparison("map", classes, 0);
        for (var i = 0; i < reference.Length; i++)
        {
            comparison.Add(reference[i], candidate[i]);
        }

        return new ComparisonResult(reference.Length, [comparison.Result()]);
    }

    private static List<BudgetCheck> Evaluate(BudgetSet budgets, ComparisonResult metrics) =>
        [.. BudgetEvaluator.Evaluate(budgets, metrics, null, Size, Size, Here, [])];

    private static float[] Ramp(int n, float scale = 1, float shift = 0) => Enumerable.Range(0, n).Select(i => (i * scale) + shift).ToArray();

    [Fact]
    public void A_nan_in_the_candidates_output_fails_with_CB1010_even_under_the_loosest_cosine_budget()
    {
        var candidate = Ramp(16);
        candidate[3] = float.NaN;
        candidate[7] = float.PositiveInfinity;

        var checks = Evaluate(new BudgetSet { MinCosine = -1 }, Measure([Ramp(16)], [candidate]));

        var broken = Assert.Single(checks, c => c.Code == DiagnosticCodes.OutputNotFinite);
        Assert.Equal(BudgetStatus.Failed, broken.Status);
        Assert.Equal(2, broken.Measured);
        Assert.True(FidelityFloors.IsBroken(broken.Code));
    }

    [Fact]
    public void A_collapsed_output_fails_with_CB1011_whatever_the_cosine_budget()
    {
        // An anti-correlated map: cosine well below the 0.5 collapse line.
        var metrics = Measure([Ramp(16, shift: -8)], [Ramp(16, scale: -1, shift: 8)]);

        var checks = Evaluate(new BudgetSet { MinCosine = -1, MinSqnrDb = -100 }, metrics);

        var broken = Assert.Single(checks, c => c.Code == DiagnosticCodes.OutputCollapsed);
        Assert.Equal(BudgetStatus.Failed, broken.Status);
        Assert.Contains("collapsed", broken.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_constant_output_where_the_reference_varies_fails_with_CB1011()
    {
        var metrics = Measure([Ramp(8, shift: 1), Ramp(8, shift: 2)], [Enumerable.Repeat(4.5f, 8).ToArray(), Enumerable.Repeat(4.5f, 8).ToArray()]);

        var broken = Assert.Single(Evaluate(new BudgetSet(), metrics), c => c.Code == DiagnosticCodes.OutputCollapsed);

        Assert.Contains("constant", broken.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_budgets_a_float_output_gets_the_default_cosine_and_sqnr_floors()
    {
        // Cosine about 0.96: not collapsed, but under the 0.98 floor.
        var reference = Ramp(32, shift: -16);
        var candidate = reference.Select((v, i) => v + (i % 2 == 0 ? 3f : -3f)).ToArray();

        var checks = Evaluate(new BudgetSet(), Measure([reference], [candidate]));

        var cosine = Assert.Single(checks, c => c.Name == "floor.min-cosine[map]");
        Assert.Equal(DiagnosticCodes.FidelityFloorMissed, cosine.Code);
        Assert.Equal(BudgetStatus.Failed, cosine.Status);
        Assert.Equal(FidelityFloors.MinCosine, cosine.Budget);
        Assert.Contains("min_cosine", cosine.Message, StringComparison.Ordinal);
        Assert.Single(checks, c => c.Name == "floor.min-sqnr[map]");
        Assert.DoesNotContain(checks, c => FidelityFloors.IsBroken(c.Code));
    }

    [Fact]
    public void The_users_own_cosine_and_sqnr_budgets_replace_the_floors()
    {
        var reference = Ramp(32, shift: -16);
        var candidate = reference.Select((v, i) => v + (i % 2 == 0 ? 3f : -3f)).ToArray();

        var checks = Evaluate(new BudgetSet { MinCosine = 0.9, MinSqnrDb = 5 }, Measure([reference], [candidate]));

        Assert.DoesNotContain(checks, c => c.Name.StartsWith("floor.", StringComparison.Ordinal));
        Assert.All(checks, c => Assert.Equal(BudgetStatus.Passed, c.Status));
    }

    [Fact]
    public void A_classifier_output_gets_the_default_agreement_floor()
    {
        // Two rows of two classes; the candidate flips the second row's winner: 50% agreement.
        var metrics = Measure([[0.9f, 0.1f, 0.2f, 0.8f]], [[0.8f, 0.2f, 0.6f, 0.4f]], classes: 2);

        var checks = Evaluate(new BudgetSet(), metrics);

        var floor = Assert.Single(checks, c => c.Name == "floor.min-agreement[map]");
        Assert.Equal(BudgetStatus.Failed, floor.Status);
        Assert.Equal(0.5, floor.Measured, 6);
        Assert.DoesNotContain(checks, c => c.Name.StartsWith("floor.min-cosine", StringComparison.Ordinal));
    }
}
