using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation.Metrics;

namespace CompressBuild.Engine.Budgets;

/// <summary>
/// The fidelity check every verified model gets, budgets or not. A candidate whose output holds NaN or infinity
/// (CB1010) or has collapsed (CB1011: cosine under <see cref="CollapsedCosine"/>, or constant where the reference
/// varies) is broken: no budget, however loose, and no misses-as-warnings turns that into a pass. Beyond that,
/// a default floor per output kind (CB1012) applies wherever the user set no budget of that kind: float outputs
/// need cosine and SQNR, classifier outputs top-1 agreement, the ctc metric's recognizer output the character agreement of its text. The user's own min_cosine, min_sqnr and
/// min_agreement replace the floor of their kind, looser or stricter.
/// </summary>
public static class FidelityFloors
{
    /// <summary>Default least mean cosine of a float (non-classifier) output.</summary>
    public const double MinCosine = 0.98;

    /// <summary>Default least SQNR of a float (non-classifier) output, in dB.</summary>
    public const double MinSqnrDb = 12;

    /// <summary>Default least top-1 agreement of a classifier output.</summary>
    public const double MinAgreement = 0.90;

    /// <summary>Mean cosine below which an output has collapsed, whatever the budgets say.</summary>
    public const double CollapsedCosine = 0.5;

    /// <summary>True for the codes no option turns into a pass.</summary>
    public static bool IsBroken(DiagnosticCode code) => code == DiagnosticCodes.OutputNotFinite || code == DiagnosticCodes.OutputCollapsed;

    public static IEnumerable<BudgetCheck> Evaluate(BudgetSet budgets, ComparisonResult metrics)
    {
        foreach (var output in metrics.Outputs)
        {
            if (output.CandidateNotFinite > 0)
            {
                yield return new BudgetCheck($"broken.not-finite[{output.Name}]", BudgetKind.Fidelity, DiagnosticCodes.OutputNotFinite, BudgetStatus.Failed, output.CandidateNotFinite, 0, 0, "values",
                    $"output '{output.Name}' holds {output.CandidateNotFinite} NaN or infinite value(s) where the reference's are finite: the candidate is broken, and no budget or option accepts it");
                continue;
            }

            if ((output.ReferenceVaries && output.Cosine < CollapsedCosine) || output.CandidateConstant)
            {
                var what = output.CandidateConstant
                    ? $"output '{output.Name}' is constant where the reference's varies (mean cosine {BudgetFormat.Number(output.Cosine)})"
                    : $"output '{output.Name}' has collapsed: mean cosine to the reference {BudgetFormat.Number(output.Cosine)}, below {BudgetFormat.Number(CollapsedCosine)}";
                yield return new BudgetCheck($"broken.collapsed[{output.Name}]", BudgetKind.Fidelity, DiagnosticCodes.OutputCollapsed, BudgetStatus.Failed, output.Cosine, CollapsedCosine, 1, "cosine",
                    what + ": the candidate is broken, and no budget or option accepts it");
                continue;
            }

            // A recognizer's scores are judged by the text they decode to, as a classifier's by its top-1: the cosine of [T, C]
            // probabilities says little about the text (PP-OCRv4 int8: 0.975 at under a point of character accuracy lost).
            if (metrics.Text is { } text && text.Output == output.Name)
            {
                if (budgets.MinAgreement is null)
                {
                    yield return BudgetEvaluator.TextAgreement(text, MinAgreement, $"floor.min-agreement[{output.Name}]", DiagnosticCodes.FidelityFloorMissed,
                        $"the default floor is {BudgetFormat.Percent(MinAgreement)} (set min_agreement to choose your own)");
                }

                continue;
            }

            if (output.IsClassification && output.Top1Agreement is { } agreement)
            {
                if (budgets.MinAgreement is null)
                {
                    yield return new BudgetCheck($"floor.min-agreement[{output.Name}]", BudgetKind.Fidelity, DiagnosticCodes.FidelityFloorMissed,
                        agreement >= MinAgreement ? BudgetStatus.Passed : BudgetStatus.Failed, agreement, MinAgreement, 1, "fraction",
                        $"top-1 agreement with the reference on '{output.Name}' is {BudgetFormat.Percent(agreement)}; the default floor is " +
                            $"{BudgetFormat.Percent(MinAgreement)} (set min_agreement to choose your own)");
                }

                continue;
            }

            if (!output.ReferenceVaries)
            {
                continue;
            }

            if (budgets.MinCosine is null)
            {
                yield return new BudgetCheck($"floor.min-cosine[{output.Name}]", BudgetKind.Fidelity, DiagnosticCodes.FidelityFloorMissed,
                    output.Cosine >= MinCosine ? BudgetStatus.Passed : BudgetStatus.Failed, output.Cosine, MinCosine, 1, "cosine",
                    $"mean cosine similarity of '{output.Name}' to the reference is {BudgetFormat.Number(output.Cosine)}; the default floor is " +
                        $"{BudgetFormat.Number(MinCosine)} (set min_cosine to choose your own)");
            }

            if (budgets.MinSqnrDb is null)
            {
                yield return new BudgetCheck($"floor.min-sqnr[{output.Name}]", BudgetKind.Fidelity, DiagnosticCodes.FidelityFloorMissed,
                    output.SqnrDb >= MinSqnrDb ? BudgetStatus.Passed : BudgetStatus.Failed, output.SqnrDb, MinSqnrDb, null, "dB",
                    $"SQNR of '{output.Name}' against the reference is {BudgetFormat.Db(output.SqnrDb)}; the default floor is {BudgetFormat.Db(MinSqnrDb)} (set min_sqnr to choose your own)");
            }
        }
    }
}
