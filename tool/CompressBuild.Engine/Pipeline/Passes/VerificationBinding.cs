using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Choices;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Engine.Verification;

namespace CompressBuild.Engine.Pipeline.Passes;

/// <summary>compress.yaml's <c>evaluation</c> and <c>budgets</c> to a <see cref="VerificationRequest"/>; every budget key is bound through <see cref="BudgetRegistry"/>.</summary>
public static class VerificationBinding
{
    public static VerificationRequest Bind(ModelConfig model, string candidate, string? baseline, bool updateBaseline, int threads)
    {
        var evaluation = model.Evaluation ?? throw new CompressBuildException(DiagnosticCodes.ConfigMissingKey,
            $"model '{model.Name}' has no 'evaluation' data, so the compressed model cannot be verified; add evaluation: {{ data: <samples>, labels: <labels> }}.",
            model.Source.Source.File, model.Source.Source.Line, model.Source.Source.Column);
        return new VerificationRequest(candidate, model.Path, evaluation.Text("data")!)
        {
            Labels = evaluation.Text("labels"),
            Metric = AccuracyMetrics.All.ValueOf(evaluation.Text("metric"), AccuracyMetric.Top1),
            Keys = evaluation.Text("keys"),
            Limit = (int?)evaluation.WholeNumber("limit"),
            Batch = (int?)evaluation.WholeNumber("batch") ?? 1,
            TopK = (int?)evaluation.WholeNumber("top_k") ?? 5,
            Threads = threads,
            ModelName = model.Name,
            Baseline = baseline,
            UpdateBaseline = updateBaseline,
            Budgets = Budgets(model.Budgets),
        };
    }

    /// <summary>The budgets a config section sets; absent keys keep their defaults.</summary>
    public static BudgetSet Budgets(ConfigValues? section) => section is null
        ? new BudgetSet()
        : BudgetRegistry.All.Where(b => section.Has(b.Key)).Aggregate(new BudgetSet(), (set, b) => b.Write(set, Value(section, b)));

    private static object? Value(ConfigValues section, BudgetDescriptor budget) => budget.Unit switch
    {
        BudgetUnit.Text => section.Text(budget.Key),
        BudgetUnit.Switch => section.Boolean(budget.Key),
        _ => section.Number(budget.Key),
    };
}
