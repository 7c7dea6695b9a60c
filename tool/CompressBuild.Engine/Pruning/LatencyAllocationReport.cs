using CompressBuild.Engine.Pruning.Structured.Latency;

namespace CompressBuild.Engine.Pruning;

/// <summary>
/// What <c>allocation: latency</c> measured and spent (<c>prune</c>'s Latency line, <c>--json</c>'s latency): the per-group
/// latency table, where it came from, the budget and what the plan saves by the table.
/// </summary>
/// <param name="Source">measured (timed now), cache (the CompressBuild cache held it) or file (latency_table named it).</param>
/// <param name="Path">The table's file (the cache entry or latency_table), or null when it was only measured.</param>
/// <param name="MeasureSeconds">Wall time spent timing sub-models in this run (0 when every entry was read).</param>
/// <param name="BudgetMs">What the budget asks to save: the uniform ratio's saving by the table, or what target_speedup asks of the whole model's time.</param>
/// <param name="PlannedMs">What the chosen counts save by the table (summed over groups: the whole model's predicted saving).</param>
/// <param name="Untimed">Groups whose sub-model could not be timed; their cost is their multiply-adds at the timed groups' mean rate.</param>
public sealed record LatencyAllocationReport(string Source, string? Path, double MeasureSeconds, double BudgetMs, double PlannedMs, IReadOnlyList<string> Untimed,
    LatencyTable Table)
{
    /// <summary>The timed groups' full-width sub-model times, summed (nodes shared by two groups count twice).</summary>
    public double ModelMs => Table.ModelMs;

    /// <summary>The whole model's speed-up the table predicts for the plan: its time over its time less what the plan saves.</summary>
    public double PredictedSpeedup => Table.ModelMs - PlannedMs > 0 ? Table.ModelMs / (Table.ModelMs - PlannedMs) : 0;

    public double GroupsMs => Table.Groups.Sum(g => g.Points.FirstOrDefault(p => p.Kept == g.Channels)?.Ms ?? 0);
}
