namespace CompressBuild.Engine.Budgets;

/// <summary>
/// Every budget key, in the order the schema, the help and the reports list them. A new budget is one entry here
/// (and, when it checks something, one method in <see cref="BudgetEvaluator"/>): compress.yaml, its JSON Schema,
/// the MSBuild metadata and the <c>verify</c> options follow from it.
/// </summary>
public static class BudgetRegistry
{
    // Declared first: static fields initialize in text order, and the entries' writers fall back on these defaults.
    private static readonly BudgetSet Defaults = new();

    public static IReadOnlyList<BudgetDescriptor> All { get; } =
    [
        new("max_accuracy_drop", BudgetKind.Fidelity, BudgetUnit.Fraction, "Largest allowed top-1 accuracy drop against the labels, a fraction (0.01 or 1% = one point); needs labels. " +
            "With the ctc metric, the character accuracy drop (against text labels, else against the reference's own text).")
        {
            Minimum = 0, Maximum = 1,
            Read = b => b.MaxAccuracyDrop, Write = (b, v) => b with { MaxAccuracyDrop = (double?)v }, Check = BudgetEvaluator.AccuracyDrop,
        },
        new("min_agreement", BudgetKind.Fidelity, BudgetUnit.Fraction, "Smallest top-1 agreement with the original, a fraction (0.99 or 99%); " +
            "with the ctc metric, the character agreement of the decoded text.")
        {
            Minimum = 0, Maximum = 1,
            Read = b => b.MinAgreement, Write = (b, v) => b with { MinAgreement = (double?)v }, Check = BudgetEvaluator.Agreement,
        },
        new("min_cosine", BudgetKind.Fidelity, BudgetUnit.Cosine, "Smallest mean cosine similarity of every output to the original's.")
        {
            Minimum = -1, Maximum = 1,
            Read = b => b.MinCosine, Write = (b, v) => b with { MinCosine = (double?)v }, Check = BudgetEvaluator.Cosine,
        },
        new("min_sqnr", BudgetKind.Fidelity, BudgetUnit.Decibels, "Smallest SQNR of every output against the original's, in dB.")
        {
            Read = b => b.MinSqnrDb, Write = (b, v) => b with { MinSqnrDb = (double?)v }, Check = BudgetEvaluator.Sqnr,
        },
        new("min_speedup", BudgetKind.Speed, BudgetUnit.Ratio, "Smallest speedup over the original (missed only when the whole confidence interval lies below).")
        {
            Minimum = 0, ExclusiveMinimum = true,
            Read = b => b.MinSpeedup, Write = (b, v) => b with { MinSpeedup = (double?)v }, Check = BudgetEvaluator.Speedup,
        },
        new("max_size_mb", BudgetKind.Size, BudgetUnit.Megabytes, "Largest model size in MB (1,000,000 bytes), external data included.")
        {
            Minimum = 0, ExclusiveMinimum = true,
            Read = b => b.MaxSizeMb, Write = (b, v) => b with { MaxSizeMb = (double?)v }, Check = BudgetEvaluator.SizeMb,
        },
        new("min_size_ratio", BudgetKind.Size, BudgetUnit.Ratio, "Smallest original-size / compressed-size ratio.")
        {
            Minimum = 0, ExclusiveMinimum = true,
            Read = b => b.MinSizeRatio, Write = (b, v) => b with { MinSizeRatio = (double?)v }, Check = BudgetEvaluator.SizeRatio,
        },
        new("max_latency_ms", BudgetKind.Speed, BudgetUnit.Milliseconds, "Largest median latency in ms (enforced only on latency_machine, or with enforce_absolute_latency).")
        {
            Minimum = 0, ExclusiveMinimum = true,
            Read = b => b.MaxLatencyMs, Write = (b, v) => b with { MaxLatencyMs = (double?)v }, Check = BudgetEvaluator.Latency,
        },
        new("latency_machine", BudgetKind.Speed, BudgetUnit.Text, "Machine id (shown in every report) that max_latency_ms was set for.")
        {
            Read = b => b.LatencyMachine, Write = (b, v) => b with { LatencyMachine = (string?)v },
        },
        new("enforce_absolute_latency", BudgetKind.Speed, BudgetUnit.Switch, "Enforce max_latency_ms on any machine.")
        {
            Default = "false",
            Read = b => b.EnforceAbsoluteLatency, Write = (b, v) => b with { EnforceAbsoluteLatency = v is true },
        },
        new("speedup_tolerance", BudgetKind.Speed, BudgetUnit.Fraction, "How far below min_speedup the speedup's interval may reach before it counts as a miss, a fraction.")
        {
            Minimum = 0, Maximum = 1, ExclusiveMaximum = true, Default = "0.03",
            Read = b => b.SpeedupTolerance, Write = (b, v) => b with { SpeedupTolerance = (double?)v ?? Defaults.SpeedupTolerance },
        },
        new("baseline_accuracy_tolerance", BudgetKind.Fidelity, BudgetUnit.Fraction, "How much top-1 accuracy or agreement may fall below the baseline's, a fraction (0.005 = half a point).")
        {
            Minimum = 0, Maximum = 1, Default = "0.005",
            Read = b => b.Tolerances.Accuracy, Write = (b, v) => b with { Tolerances = b.Tolerances with { Accuracy = (double?)v ?? Defaults.Tolerances.Accuracy } },
        },
        new("baseline_speedup_tolerance", BudgetKind.Speed, BudgetUnit.Fraction, "How far the speedup may fall below the baseline's, relative (0.10 = 10% slower).")
        {
            Minimum = 0, Maximum = 1, ExclusiveMaximum = true, Default = "0.10",
            Read = b => b.Tolerances.Speedup, Write = (b, v) => b with { Tolerances = b.Tolerances with { Speedup = (double?)v ?? Defaults.Tolerances.Speedup } },
        },
        new("baseline_size_tolerance", BudgetKind.Size, BudgetUnit.Fraction, "How much the model may grow over the baseline, relative (0.01 = 1% larger; at most 1, double the size).")
        {
            Minimum = 0, Maximum = 1, Default = "0.01",
            Read = b => b.Tolerances.Size, Write = (b, v) => b with { Tolerances = b.Tolerances with { Size = (double?)v ?? Defaults.Tolerances.Size } },
        },
    ];

    public static BudgetDescriptor? Find(string key) => All.FirstOrDefault(b => string.Equals(b.Key, key, StringComparison.Ordinal));
}
