using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;

namespace CompressBuild.Engine.Budgets;

/// <summary>
/// Holds a run against the model's baseline entry (CB1005 on a regression): accuracy and agreement may not fall
/// more than the absolute tolerance, size may not grow more than its relative tolerance, and the speedup may not
/// fall more than its relative tolerance, judged on the whole confidence interval and only on the machine the
/// baseline was recorded on (elsewhere it is reported: CB4052).
/// </summary>
public static class BaselineComparer
{
    public static IReadOnlyList<BudgetCheck> Compare(
        BaselineEntry baseline,
        BaselineTolerances tolerances,
        ComparisonResult metrics,
        LatencyComparison? latency,
        ModelSize candidate,
        MachineInfo machine,
        ICollection<Advisory> advisories,
        string prefix = "baseline")
    {
        var checks = new List<BudgetCheck>();
        var code = DiagnosticCodes.BaselineRegression;
        if (baseline.AccuracyTop1 is { } baseAccuracy && metrics.Labelled?.Accuracy is { } accuracy)
        {
            var holds = accuracy.CandidateTop1 >= baseAccuracy - tolerances.Accuracy - 1e-12;
            checks.Add(new BudgetCheck($"{prefix}.accuracy", BudgetKind.Fidelity, code, Status(holds), accuracy.CandidateTop1, baseAccuracy - tolerances.Accuracy, baseAccuracy, "fraction",
                $"top-1 accuracy {BudgetFormat.Percent(accuracy.CandidateTop1)} against the baseline's {BudgetFormat.Percent(baseAccuracy)}; " +
                    $"baseline_accuracy_tolerance {BudgetFormat.Points(tolerances.Accuracy)}"));
        }

        if (baseline.Agreement is { } baseAgreement && Primary(metrics)?.Top1Agreement is { } agreement)
        {
            var holds = agreement >= baseAgreement - tolerances.Accuracy - 1e-12;
            checks.Add(new BudgetCheck($"{prefix}.agreement", BudgetKind.Fidelity, code, Status(holds), agreement, baseAgreement - tolerances.Accuracy, baseAgreement, "fraction",
                $"top-1 agreement {BudgetFormat.Percent(agreement)} against the baseline's {BudgetFormat.Percent(baseAgreement)}; " +
                    $"baseline_accuracy_tolerance {BudgetFormat.Points(tolerances.Accuracy)}"));
        }

        if (metrics.Text is { } decoded)
        {
            checks.AddRange(TextChecks(baseline, tolerances, decoded, prefix));
        }

        var allowedBytes = baseline.SizeBytes * (1 + tolerances.Size);
        checks.Add(new BudgetCheck($"{prefix}.size", BudgetKind.Size, code, Status(candidate.Bytes <= allowedBytes), candidate.Bytes, allowedBytes, baseline.SizeBytes, "bytes",
            $"size {BudgetFormat.Megabytes(candidate.Bytes)} ({candidate.Bytes} bytes) against the baseline's " +
                $"{BudgetFormat.Megabytes(baseline.SizeBytes)} ({baseline.SizeBytes} bytes); baseline_size_tolerance +{BudgetFormat.Percent(tolerances.Size)}"));

        if (baseline.Speedup is { } baseSpeedup && latency is not null)
        {
            var floor = baseSpeedup * (1 - tolerances.Speedup);
            var s = latency.Speedup;
            var text = $"speedup {BudgetFormat.Ratio(s.Ratio)}, interval {BudgetFormat.Interval(s.Low, s.High)}, against the baseline's " +
                $"{BudgetFormat.Ratio(baseSpeedup)}; baseline_speedup_tolerance -{BudgetFormat.Percent(tolerances.Speedup)} (at least {BudgetFormat.Ratio(floor)})";
            if (string.Equals(baseline.Machine.Id, machine.Id, StringComparison.Ordinal))
            {
                checks.Add(new BudgetCheck($"{prefix}.speedup", BudgetKind.Speed, code, Status(s.High >= floor), s.Ratio, floor, baseSpeedup, "ratio", text));
            }
            else
            {
                checks.Add(new BudgetCheck($"{prefix}.speedup", BudgetKind.Speed, code, BudgetStatus.NotEnforced, s.Ratio, floor, baseSpeedup, "ratio", text));
                advisories.Add(new Advisory(DiagnosticCodes.BaselineFromOtherMachine,
                    $"{text}: reported, not enforced: the baseline was recorded on machine {baseline.Machine.Id} ({baseline.Machine.CpuModel}, " +
                        $"{baseline.Machine.Cores} cores), this is {machine.Id} ({machine.CpuModel}, {machine.Cores} cores)."));
            }
        }

        return checks;
    }

    /// <summary>The ctc metric's character accuracy and agreement against the baseline's, with the accuracy tolerance.</summary>
    private static IEnumerable<BudgetCheck> TextChecks(BaselineEntry baseline, BaselineTolerances tolerances, TextAccuracy text, string prefix)
    {
        foreach (var (name, what, recorded, measured) in new[]
        {
            ("character-accuracy", "character accuracy", baseline.CharacterAccuracy, text.CandidateAccuracy),
            ("character-agreement", "character agreement with the reference's text", baseline.CharacterAgreement, text.Agreement),
        })
        {
            if (recorded is { } value)
            {
                var holds = measured >= value - tolerances.Accuracy - 1e-12;
                yield return new BudgetCheck($"{prefix}.{name}", BudgetKind.Fidelity, DiagnosticCodes.BaselineRegression, Status(holds), measured, value - tolerances.Accuracy, value, "fraction",
                    $"{what} {BudgetFormat.Percent(measured)} against the baseline's {BudgetFormat.Percent(value)}; baseline_accuracy_tolerance {BudgetFormat.Points(tolerances.Accuracy)}");
            }
        }
    }

    /// <summary>The output agreement is recorded for: the labelled one, else the first classification output.</summary>
    public static OutputMetrics? Primary(ComparisonResult metrics) => metrics.Labelled ?? metrics.Outputs.FirstOrDefault(o => o.IsClassification);

    private static BudgetStatus Status(bool holds) => holds ? BudgetStatus.Passed : BudgetStatus.Failed;
}
