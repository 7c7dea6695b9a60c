using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;

namespace CompressBuild.Engine.Budgets;

/// <summary>
/// Holds measurements against a <see cref="BudgetSet"/>: one check per budget (per output for the fidelity
/// budgets). A speedup budget is missed only when the whole confidence interval lies below it, so timing noise
/// never fails a build; an absolute latency is enforced only on the machine it was set for.
/// </summary>
public static class BudgetEvaluator
{
    public static IReadOnlyList<BudgetCheck> Evaluate(
        BudgetSet budgets,
        ComparisonResult metrics,
        LatencyComparison? latency,
        ModelSize reference,
        ModelSize candidate,
        MachineInfo machine,
        ICollection<Advisory> advisories)
    {
        var checks = new List<BudgetCheck>();
        if (budgets.MaxAccuracyDrop is { } maxDrop)
        {
            if (metrics.Labelled?.Accuracy is { } accuracy)
            {
                var drop = accuracy.Top1Drop;
                checks.Add(new BudgetCheck("max-accuracy-drop", DiagnosticCodes.AccuracyDropExceeded, Status(drop <= maxDrop + 1e-12), drop, maxDrop, accuracy.ReferenceTop1, "fraction",
                    $"top-1 accuracy dropped {BudgetFormat.Points(drop)} (reference {BudgetFormat.Percent(accuracy.ReferenceTop1)}, candidate {BudgetFormat.Percent(accuracy.CandidateTop1)} on output '{metrics.Labelled.Name}'); budget {BudgetFormat.Points(maxDrop)}"));
            }
            else
            {
                advisories.Add(new Advisory(DiagnosticCodes.NoClassificationOutput, "the model has no classification output (class scores of shape [C] or [N,C]) to score against the labels: max_accuracy_drop was not checked.") { Key = "max_accuracy_drop" });
            }
        }

        foreach (var output in metrics.Outputs)
        {
            if (budgets.MinAgreement is { } minAgreement && output.Top1Agreement is { } agreement)
            {
                checks.Add(new BudgetCheck($"min-agreement[{output.Name}]", DiagnosticCodes.FidelityBelowBudget, Status(agreement >= minAgreement), agreement, minAgreement, 1, "fraction",
                    $"top-1 agreement with the reference on '{output.Name}' is {BudgetFormat.Percent(agreement)} (the reference agrees with itself 100%); budget at least {BudgetFormat.Percent(minAgreement)}"));
            }

            if (budgets.MinCosine is { } minCosine)
            {
                checks.Add(new BudgetCheck($"min-cosine[{output.Name}]", DiagnosticCodes.FidelityBelowBudget, Status(output.Cosine >= minCosine - CosineRounding), output.Cosine, minCosine, 1, "cosine",
                    $"mean cosine similarity of '{output.Name}' to the reference is {BudgetFormat.Number(output.Cosine)} (lowest sample {BudgetFormat.Number(output.MinCosine)}; the reference's own is 1); budget at least {BudgetFormat.Number(minCosine)}"));
            }

            if (budgets.MinSqnrDb is { } minSqnr)
            {
                checks.Add(new BudgetCheck($"min-sqnr[{output.Name}]", DiagnosticCodes.FidelityBelowBudget, Status(output.SqnrDb >= minSqnr), output.SqnrDb, minSqnr, null, "dB",
                    $"SQNR of '{output.Name}' against the reference is {BudgetFormat.Db(output.SqnrDb)} (MSE {output.Mse:0.###e+0}, max abs error {output.MaxAbsError:0.###e+0}); budget at least {BudgetFormat.Db(minSqnr)}"));
            }
        }

        if (budgets.MinAgreement is not null && !metrics.Outputs.Any(o => o.Top1Agreement is not null))
        {
            advisories.Add(new Advisory(DiagnosticCodes.FidelityBudgetUnchecked, "min_agreement was not checked: the model has no classification output (class scores of shape [C] or [N,C]); use min_cosine and min_sqnr for its outputs.") { Key = "min_agreement" });
        }

        if ((budgets.MinCosine is not null || budgets.MinSqnrDb is not null) && metrics.Outputs.Count == 0)
        {
            advisories.Add(new Advisory(DiagnosticCodes.FidelityBudgetUnchecked, "min_cosine / min_sqnr were not checked: the model has no floating-point tensor output to compare.") { Key = budgets.MinCosine is not null ? "min_cosine" : "min_sqnr" });
        }

        if (budgets.MinSpeedup is { } minSpeedup && latency is not null)
        {
            var s = latency.Speedup;
            var missed = s.High < minSpeedup * (1 - budgets.SpeedupTolerance);
            checks.Add(new BudgetCheck("min-speedup", DiagnosticCodes.SpeedupBelowBudget, Status(!missed), s.Ratio, minSpeedup, null, "ratio",
                $"speedup {BudgetFormat.Ratio(s.Ratio)}, {BudgetFormat.Level(s.ConfidenceLevel)} interval {BudgetFormat.Interval(s.Low, s.High)} over {latency.Pairs} A/B pairs (reference median {BudgetFormat.Ms(latency.Reference.MedianMs)}, candidate {BudgetFormat.Ms(latency.Candidate.MedianMs)}); budget at least {BudgetFormat.Ratio(minSpeedup)}, missed only when the whole interval is below {BudgetFormat.Ratio(minSpeedup * (1 - budgets.SpeedupTolerance))}"));
        }

        if (budgets.MaxSizeMb is { } maxMb)
        {
            // One unit in the whole row: MB of 1,000,000 bytes, the budget's own.
            checks.Add(new BudgetCheck("max-size-mb", DiagnosticCodes.SizeBudgetMissed, Status(candidate.Bytes <= maxMb * 1_000_000), candidate.Bytes / 1e6, maxMb, reference.Bytes / 1e6, "MB",
                $"candidate is {BudgetFormat.Megabytes(candidate.Bytes)} ({candidate.Bytes} bytes with external data; reference {BudgetFormat.Megabytes(reference.Bytes)}); budget at most {BudgetFormat.Megabytes(maxMb * 1_000_000)}"));
        }

        if (budgets.MinSizeRatio is { } minRatio)
        {
            var ratio = (double)reference.Bytes / Math.Max(1, candidate.Bytes);
            // The reference's own ratio to itself is 1.0x: the column compares like with like.
            checks.Add(new BudgetCheck("min-size-ratio", DiagnosticCodes.SizeBudgetMissed, Status(ratio >= minRatio), ratio, minRatio, 1, "ratio",
                $"candidate is {BudgetFormat.Ratio(ratio)} smaller than the reference ({candidate.Bytes} vs {reference.Bytes} bytes); budget at least {BudgetFormat.Ratio(minRatio)}"));
        }

        if (budgets.MaxLatencyMs is { } maxMs && latency is not null)
        {
            var median = latency.Candidate.MedianMs;
            var enforced = budgets.EnforceAbsoluteLatency || string.Equals(budgets.LatencyMachine, machine.Id, StringComparison.Ordinal);
            var status = !enforced ? BudgetStatus.NotEnforced : Status(median <= maxMs);
            var text = $"candidate median latency {BudgetFormat.Ms(median)} (p90 {BudgetFormat.Ms(latency.Candidate.P90Ms)}; reference median {BudgetFormat.Ms(latency.Reference.MedianMs)}); budget at most {BudgetFormat.Ms(maxMs)}";
            checks.Add(new BudgetCheck("max-latency-ms", DiagnosticCodes.LatencyBudgetMissed, status, median, maxMs, latency.Reference.MedianMs, "ms", text));
            if (!enforced)
            {
                var setFor = budgets.LatencyMachine is null ? "no machine was named for it" : $"it was set for machine {budgets.LatencyMachine}";
                advisories.Add(new Advisory(DiagnosticCodes.AbsoluteLatencyNotEnforced,
                    $"{text}: reported, not enforced, because {setFor} and this is machine {machine.Id} ({machine.CpuModel}, {machine.Cores} cores). Set latency_machine to {machine.Id} to enforce it here, or enforce_absolute_latency.") { Key = "max_latency_ms" });
            }
        }

        // After the user's own budgets: the fidelity check every model gets (broken outputs, default floors).
        checks.AddRange(FidelityFloors.Evaluate(budgets, metrics));
        return checks;
    }

    // Cosine is computed from float32 norms and dot products: identical outputs give 0.99999998, not 1.
    private const double CosineRounding = 1e-6;

    private static BudgetStatus Status(bool holds) => holds ? BudgetStatus.Passed : BudgetStatus.Failed;
}
