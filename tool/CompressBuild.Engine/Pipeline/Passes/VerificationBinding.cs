using CompressBuild.Engine.Verification;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Pipeline.Config;

namespace CompressBuild.Engine.Pipeline.Passes;

/// <summary>compress.yaml's <c>evaluation</c> and <c>budgets</c> (the verify command's options in snake_case) to a <see cref="VerificationRequest"/>.</summary>
public static class VerificationBinding
{
    private static readonly BaselineTolerances Defaults = new();

    public static VerificationRequest Bind(ModelConfig model, string candidate, string? baseline, bool updateBaseline, int threads)
    {
        var evaluation = model.Evaluation ?? throw new CompressBuildException(DiagnosticCodes.ConfigMissingKey,
            $"model '{model.Name}' has no 'evaluation' data, so the compressed model cannot be verified; add evaluation: {{ data: <samples>, labels: <labels> }}.",
            model.Source.Source.File, model.Source.Source.Line, model.Source.Source.Column);
        var budgets = model.Budgets;
        return new VerificationRequest(candidate, model.Path, evaluation.Text("data")!)
        {
            Labels = evaluation.Text("labels"),
            Limit = (int?)evaluation.WholeNumber("limit"),
            Batch = (int?)evaluation.WholeNumber("batch") ?? 1,
            TopK = (int?)evaluation.WholeNumber("top_k") ?? 5,
            Threads = threads,
            ModelName = model.Name,
            Baseline = baseline,
            UpdateBaseline = updateBaseline,
            Budgets = budgets is null ? new BudgetSet() : new BudgetSet
            {
                MaxAccuracyDrop = budgets.Number("max_accuracy_drop"),
                MinAgreement = budgets.Number("min_agreement"),
                MinCosine = budgets.Number("min_cosine"),
                MinSqnrDb = budgets.Number("min_sqnr"),
                MinSpeedup = budgets.Number("min_speedup"),
                MaxSizeMb = budgets.Number("max_size_mb"),
                MinSizeRatio = budgets.Number("min_size_ratio"),
                MaxLatencyMs = budgets.Number("max_latency_ms"),
                LatencyMachine = budgets.Text("latency_machine"),
                EnforceAbsoluteLatency = budgets.Boolean("enforce_absolute_latency") ?? false,
                SpeedupTolerance = budgets.Number("speedup_tolerance") ?? new BudgetSet().SpeedupTolerance,
            },
            Tolerances = budgets is null ? new BaselineTolerances() : new BaselineTolerances(
                budgets.Number("baseline_accuracy_tolerance") ?? Defaults.Accuracy,
                budgets.Number("baseline_speedup_tolerance") ?? Defaults.Speedup,
                budgets.Number("baseline_size_tolerance") ?? Defaults.Size),
        };
    }
}
