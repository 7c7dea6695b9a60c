using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;

namespace CompressBuild.Engine.Budgets;

/// <summary>
/// Holds measurements against a <see cref="BudgetSet"/>: the check of every budget the set gives, in
/// <see cref="BudgetRegistry"/> order (one per output for the fidelity budgets), then the fidelity floors. A speedup
/// budget is missed only when the whole confidence interval lies below it, so timing noise never fails a build; an
/// absolute latency is enforced only on the machine it was set for.
/// </summary>
public static class BudgetEvaluator
{
    // Cosine is computed from float32 norms and dot products: identical outputs give 0.99999998, not 1.
    private const double CosineRounding = 1e-6;

    public static IReadOnlyList<BudgetCheck> Evaluate(
        BudgetSet budgets,
        ComparisonResult metrics,
        LatencyComparison? latency,
        ModelSize reference,
        ModelSize candidate,
        MachineInfo machine,
        ICollection<Advisory> advisories)
    {
        var inputs = new BudgetInputs(budgets, metrics, latency, reference, candidate, machine, advisories);
        var checks = BudgetRegistry.All.Where(b => b.Check is not null && b.Read(budgets) is not null).SelectMany(b => b.Check!(inputs)).ToList();

        // After the user's own budgets: the fidelity check every model gets (broken outputs, default floors).
        checks.AddRange(FidelityFloors.Evaluate(budgets, metrics));
        return checks;
    }

    internal static IEnumerable<BudgetCheck> AccuracyDrop(BudgetInputs inputs)
    {
        var maxDrop = inputs.Budgets.MaxAccuracyDrop!.Value;
        var metrics = inputs.Metrics;
        if (metrics.Text is { } text)
        {
            yield return CharacterAccuracyDrop(text, maxDrop);
            yield break;
        }

        if (metrics.Labelled?.Accuracy is not { } accuracy)
        {
            inputs.Advisories.Add(new Advisory(DiagnosticCodes.NoClassificationOutput, "the model has no classification output (class scores of " +
                "shape [C] or [N,C]) to score against the labels: max_accuracy_drop was not checked.") { Key = "max_accuracy_drop" });
            yield break;
        }

        var drop = accuracy.Top1Drop;
        yield return new BudgetCheck("max-accuracy-drop", BudgetKind.Fidelity, DiagnosticCodes.AccuracyDropExceeded, Status(drop <= maxDrop + 1e-12), drop, maxDrop, accuracy.ReferenceTop1, "fraction",
            $"top-1 accuracy dropped {BudgetFormat.Points(drop)} (reference {BudgetFormat.Percent(accuracy.ReferenceTop1)}, candidate " +
                $"{BudgetFormat.Percent(accuracy.CandidateTop1)} on output '{metrics.Labelled.Name}'); budget max_accuracy_drop {BudgetFormat.Points(maxDrop)}");
    }

    /// <summary>The ctc metric's drop: reference minus candidate character accuracy, against the text labels or the reference's own text.</summary>
    private static BudgetCheck CharacterAccuracyDrop(TextAccuracy text, double maxDrop) =>
        new("max-accuracy-drop", BudgetKind.Fidelity, DiagnosticCodes.AccuracyDropExceeded, Status(text.Drop <= maxDrop + 1e-12), text.Drop, maxDrop, text.ReferenceAccuracy, "fraction",
            $"character accuracy dropped {BudgetFormat.Points(text.Drop)} (reference {BudgetFormat.Percent(text.ReferenceAccuracy)}, candidate " +
                $"{BudgetFormat.Percent(text.CandidateAccuracy)} {TextAgainst(text)}, {text.Lines} lines, output '{text.Output}'); budget max_accuracy_drop {BudgetFormat.Points(maxDrop)}");

    /// <summary>What the ctc metric's accuracies were scored against, for messages.</summary>
    internal static string TextAgainst(TextAccuracy text) =>
        text.AgainstLabels ? $"against the text labels' {text.Characters} characters" : $"against the reference's own decoded text ({text.Characters} characters)";

    internal static IEnumerable<BudgetCheck> Agreement(BudgetInputs inputs)
    {
        var minAgreement = inputs.Budgets.MinAgreement!.Value;
        if (inputs.Metrics.Text is { } text)
        {
            yield return TextAgreement(text, minAgreement, $"min-agreement[{text.Output}]", DiagnosticCodes.FidelityBelowBudget, $"budget min_agreement {BudgetFormat.Percent(minAgreement)}");
        }

        if (!inputs.Metrics.Outputs.Any(o => o.Top1Agreement is not null) && inputs.Metrics.Text is null)
        {
            inputs.Advisories.Add(new Advisory(DiagnosticCodes.FidelityBudgetUnchecked, "min_agreement was not checked: the model has no " +
                "classification output (class scores of shape [C] or [N,C]); use min_cosine and min_sqnr for its outputs.") { Key = "min_agreement" });
        }

        foreach (var output in inputs.Metrics.Outputs)
        {
            if (output.Top1Agreement is { } agreement)
            {
                yield return new BudgetCheck($"min-agreement[{output.Name}]", BudgetKind.Fidelity, DiagnosticCodes.FidelityBelowBudget,
                    Status(agreement >= minAgreement), agreement, minAgreement, 1, "fraction",
                    $"top-1 agreement with the reference on '{output.Name}' is {BudgetFormat.Percent(agreement)} (the reference agrees with itself " +
                        $"100%); budget min_agreement {BudgetFormat.Percent(minAgreement)}");
            }
        }
    }

    internal static IEnumerable<BudgetCheck> Cosine(BudgetInputs inputs)
    {
        var minCosine = inputs.Budgets.MinCosine!.Value;
        NoFloatOutput(inputs, "min_cosine");
        foreach (var output in inputs.Metrics.Outputs)
        {
            yield return new BudgetCheck($"min-cosine[{output.Name}]", BudgetKind.Fidelity, DiagnosticCodes.FidelityBelowBudget,
                Status(output.Cosine >= minCosine - CosineRounding), output.Cosine, minCosine, 1, "cosine",
                $"mean cosine similarity of '{output.Name}' to the reference is {BudgetFormat.Number(output.Cosine)} (lowest sample " +
                    $"{BudgetFormat.Number(output.MinCosine)}; the reference's own is 1); budget min_cosine {BudgetFormat.Number(minCosine)}");
        }
    }

    internal static IEnumerable<BudgetCheck> Sqnr(BudgetInputs inputs)
    {
        var minSqnr = inputs.Budgets.MinSqnrDb!.Value;
        NoFloatOutput(inputs, "min_sqnr");
        foreach (var output in inputs.Metrics.Outputs)
        {
            yield return new BudgetCheck($"min-sqnr[{output.Name}]", BudgetKind.Fidelity, DiagnosticCodes.FidelityBelowBudget, Status(output.SqnrDb >= minSqnr), output.SqnrDb, minSqnr, null, "dB",
                $"SQNR of '{output.Name}' against the reference is {BudgetFormat.Db(output.SqnrDb)} (MSE {output.Mse:0.###e+0}, max abs error " +
                    $"{output.MaxAbsError:0.###e+0}); budget min_sqnr {BudgetFormat.Db(minSqnr)}");
        }
    }

    internal static IEnumerable<BudgetCheck> Speedup(BudgetInputs inputs)
    {
        if (inputs.Latency is not { } latency)
        {
            yield break;
        }

        var budgets = inputs.Budgets;
        var minSpeedup = budgets.MinSpeedup!.Value;
        var s = latency.Speedup;
        var floor = minSpeedup * (1 - budgets.SpeedupTolerance);
        yield return new BudgetCheck("min-speedup", BudgetKind.Speed, DiagnosticCodes.SpeedupBelowBudget, Status(s.High >= floor), s.Ratio, minSpeedup, null, "ratio",
            $"speedup {BudgetFormat.Ratio(s.Ratio)}, {BudgetFormat.Level(s.ConfidenceLevel)} interval {BudgetFormat.Interval(s.Low, s.High)} over " +
                $"{latency.Pairs} A/B pairs (reference median {BudgetFormat.Ms(latency.Reference.MedianMs)}, candidate " +
                $"{BudgetFormat.Ms(latency.Candidate.MedianMs)}); budget min_speedup {BudgetFormat.Ratio(minSpeedup)}, missed only when the whole " +
                $"interval is below {BudgetFormat.Ratio(floor)}");
    }

    internal static IEnumerable<BudgetCheck> SizeMb(BudgetInputs inputs)
    {
        var maxMb = inputs.Budgets.MaxSizeMb!.Value;
        var (reference, candidate) = (inputs.Reference, inputs.Candidate);

        // One unit in the whole row: MB of 1,000,000 bytes, the budget's own.
        yield return new BudgetCheck("max-size-mb", BudgetKind.Size, DiagnosticCodes.SizeBudgetMissed, Status(candidate.Bytes <= maxMb * 1_000_000),
            candidate.Bytes / 1e6, maxMb, reference.Bytes / 1e6, "MB",
            $"candidate is {BudgetFormat.Megabytes(candidate.Bytes)} ({candidate.Bytes} bytes with external data; reference " +
                $"{BudgetFormat.Megabytes(reference.Bytes)}); budget max_size_mb {BudgetFormat.Megabytes(maxMb * 1_000_000)}");
    }

    internal static IEnumerable<BudgetCheck> SizeRatio(BudgetInputs inputs)
    {
        var minRatio = inputs.Budgets.MinSizeRatio!.Value;
        var (reference, candidate) = (inputs.Reference, inputs.Candidate);
        var ratio = (double)reference.Bytes / Math.Max(1, candidate.Bytes);

        // The reference's own ratio to itself is 1.0x: the column compares like with like.
        yield return new BudgetCheck("min-size-ratio", BudgetKind.Size, DiagnosticCodes.SizeBudgetMissed, Status(ratio >= minRatio), ratio, minRatio, 1, "ratio",
            $"candidate is {BudgetFormat.Ratio(ratio)} smaller than the reference ({candidate.Bytes} vs {reference.Bytes} bytes); budget min_size_ratio {BudgetFormat.Ratio(minRatio)}");
    }

    internal static IEnumerable<BudgetCheck> Latency(BudgetInputs inputs)
    {
        if (inputs.Latency is not { } latency)
        {
            yield break;
        }

        var (budgets, machine) = (inputs.Budgets, inputs.Machine);
        var maxMs = budgets.MaxLatencyMs!.Value;
        var median = latency.Candidate.MedianMs;
        var enforced = budgets.EnforceAbsoluteLatency || string.Equals(budgets.LatencyMachine, machine.Id, StringComparison.Ordinal);
        var status = !enforced ? BudgetStatus.NotEnforced : Status(median <= maxMs);
        var text = $"candidate median latency {BudgetFormat.Ms(median)} (p90 {BudgetFormat.Ms(latency.Candidate.P90Ms)}; reference median " +
            $"{BudgetFormat.Ms(latency.Reference.MedianMs)}); budget max_latency_ms {BudgetFormat.Ms(maxMs)}";
        yield return new BudgetCheck("max-latency-ms", BudgetKind.Speed, DiagnosticCodes.LatencyBudgetMissed, status, median, maxMs, latency.Reference.MedianMs, "ms", text);
        if (!enforced)
        {
            var setFor = budgets.LatencyMachine is null ? "no machine was named for it" : $"it was set for machine {budgets.LatencyMachine}";
            inputs.Advisories.Add(new Advisory(DiagnosticCodes.AbsoluteLatencyNotEnforced,
                $"{text}: reported, not enforced, because {setFor} and this is machine {machine.Id} ({machine.CpuModel}, {machine.Cores} cores). " +
                    $"Set latency_machine to {machine.Id} to enforce it here, or enforce_absolute_latency.") { Key = "max_latency_ms" });
        }
    }

    /// <summary>The candidate's character accuracy against the reference's decoded text: the ctc metric's agreement.</summary>
    internal static BudgetCheck TextAgreement(TextAccuracy text, double least, string name, DiagnosticCode code, string limit) =>
        new(name, BudgetKind.Fidelity, code, Status(text.Agreement >= least), text.Agreement, least, 1, "fraction",
            $"character agreement of the decoded text of '{text.Output}' with the reference's is {BudgetFormat.Percent(text.Agreement)} over {text.Lines} lines " +
                $"(the reference agrees with itself 100%); {limit}");

    private static void NoFloatOutput(BudgetInputs inputs, string key)
    {
        if (inputs.Metrics.Outputs.Count == 0)
        {
            inputs.Advisories.Add(new Advisory(DiagnosticCodes.FidelityBudgetUnchecked, $"{key} was not checked: the model has no floating-point tensor output to compare.") { Key = key });
        }
    }

    private static BudgetStatus Status(bool holds) => holds ? BudgetStatus.Passed : BudgetStatus.Failed;
}
