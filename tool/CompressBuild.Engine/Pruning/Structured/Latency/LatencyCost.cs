using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;

namespace CompressBuild.Engine.Pruning.Structured.Latency;

/// <summary>
/// <c>allocation: latency</c>'s cost of a step: the milliseconds removing a group's first n ranked channels saves, read from the
/// latency table (<see cref="LatencyTableSource"/>). A group the table could not time is costed by its multiply-adds at the
/// timed groups' rate (milliseconds saved per multiply-add removed at the uniform ratio), and CB4076 names it.
/// </summary>
internal sealed class LatencyCost
{
    private readonly LatencyAllocationReport report;
    private readonly IReadOnlyList<LatencyTableGroup?> rows;
    private readonly IReadOnlyList<IReadOnlyList<int>> ranked;
    private readonly Dictionary<int, double> macs;
    private readonly double msPerMac;

    private LatencyCost(LatencyAllocationReport report, IReadOnlyList<LatencyTableGroup?> rows, IReadOnlyList<IReadOnlyList<int>> ranked, Dictionary<int, double> macs)
    {
        this.report = report;
        this.rows = rows;
        this.ranked = ranked;
        this.macs = macs;
        double ms = 0, mac = 0;
        for (var g = 0; g < rows.Count; g++)
        {
            foreach (var point in rows[g]?.Points ?? [])
            {
                ms += point.SavedMs;
                mac += Macs(g, rows[g]!.Channels - point.Kept);
            }
        }

        msPerMac = mac > 0 ? Math.Max(0, ms / mac) : 0;
    }

    /// <param name="members">Per group, the producers making its channels (the table's row key).</param>
    /// <param name="sizes">Per group, its width.</param>
    /// <param name="ranked">Per group, its removable roots, least important first.</param>
    /// <param name="uniform">Per round_to, what the uniform ratio removes from each group (the budget).</param>
    public static LatencyCost Measure(ChannelGraph graph, OnnxModel model, IReadOnlyDictionary<string, long[]> shapes, PruneSettings settings,
        IReadOnlyList<List<string>> members, IReadOnlyList<int> sizes, IReadOnlyList<IReadOnlyList<int>> ranked, Func<int, int[]> uniform)
    {
        var roundTos = settings.RoundToAuto ? new[] { 1, RoundToChoice.Block }.Distinct().ToArray() : [settings.RoundTo];
        var budgets = roundTos.Select(uniform).ToList();
        var groups = members.Select((m, g) => (Producers: string.Join(" + ", m), Channels: sizes[g], Ranked: ranked[g])).ToList();
        var counts = groups.Select((x, g) => (IReadOnlyCollection<int>)roundTos
            .SelectMany(r => DistortionAllocation.Candidates(x.Channels, x.Ranked.Count, settings.EffectiveSparsity, r)).Concat(budgets.Select(b => b[g])).Where(c => c > 0).ToHashSet())
            .ToList();
        var report = LatencyTableSource.Obtain(graph, model, settings, groups, counts);
        var rows = groups.Select(x => report.Table.Find(x.Producers)).ToList();
        return new LatencyCost(report, rows, ranked, DistortionAllocation.ChannelCosts(graph, shapes))
        {
            TargetMs = settings.TargetSpeedup is { } speedup ? report.Table.ModelMs * (1 - (1 / speedup)) : null,
        };
    }

    /// <summary>With target_speedup: the milliseconds the plan must save, from the table's whole-model time; null otherwise.</summary>
    public double? TargetMs { get; private init; }

    /// <summary>Of two budgets (per group, channels removed), the one the table says saves more time.</summary>
    public IReadOnlyList<int> Better(IReadOnlyList<int> a, IReadOnlyList<int> b) =>
        Enumerable.Range(0, a.Count).Sum(g => Saved(g, b[g])) > Enumerable.Range(0, a.Count).Sum(g => Saved(g, a[g])) ? b : a;

    /// <summary>Milliseconds removing group <paramref name="group"/>'s first <paramref name="count"/> ranked channels saves.</summary>
    public double Saved(int group, int count)
    {
        if (count <= 0)
        {
            return 0;
        }

        return rows[group] is { Points.Count: > 0 } row && row.Saved(row.Channels - count) is { } saved ? saved : Macs(group, count) * msPerMac;
    }

    /// <summary>The report, with the budget (what <paramref name="uniform"/> saves) and what <paramref name="removed"/> (per group, the final counts) saves; CB4076 for untimed groups.</summary>
    public LatencyAllocationReport Report(IReadOnlyList<int> uniform, IReadOnlyList<int> removed, List<PruneAdvisory> advisories)
    {
        if (report.Untimed.Count > 0)
        {
            advisories.Add(new PruneAdvisory(DiagnosticCodes.LatencyGroupsUntimed.Id,
                $"allocation latency could not time {report.Untimed.Count} channel group(s) on their own ({string.Join("; ", report.Untimed.Take(5))}" +
                    $"{(report.Untimed.Count > 5 ? "; ..." : "")}); they are costed by their multiply-adds at the timed groups' rate."));
        }

        return report with
        {
            BudgetMs = TargetMs ?? Enumerable.Range(0, rows.Count).Sum(g => Saved(g, uniform[g])),
            PlannedMs = Enumerable.Range(0, rows.Count).Sum(g => Saved(g, removed[g])),
        };
    }

    private double Macs(int group, int count) => ranked[group].Take(count).Sum(r => macs.GetValueOrDefault(r));
}
