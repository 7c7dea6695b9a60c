
namespace CompressBuild.Engine.Pruning.Structured.Latency;

/// <summary>
/// Measures the latency table: per channel group, its sub-model (<see cref="LatencySubgraph"/>) at full width and at each
/// candidate width, timed against each other on 1 intra-op thread in rotating order round after round (as
/// <see cref="ChannelCountLatency"/> times whole models, but in the thread's CPU time, <see cref="ThreadCpuClock"/>), so load that comes and
/// goes hits every width alike; each width's time is its median,
/// and what it saves is the median of the per-round differences from the full width.
/// </summary>
internal static class LatencyTableBuilder
{
    /// <param name="groups">Per group: its producers' names (the table's row key), its width, and its removable roots, least important first.</param>
    /// <param name="removedCounts">Per group, the numbers of its ranked channels whose removal the allocation may choose.</param>
    /// <param name="known">Rows already measured (a cached table): widths found there are not timed again.</param>
    /// <param name="untimed">Groups whose sub-model could not be built or run (their cost falls back to multiply-adds).</param>
    public static List<LatencyTableGroup> Measure(ChannelGraph graph, IReadOnlyDictionary<string, long[]> shapes,
        IReadOnlyList<(string Producers, int Channels, IReadOnlyList<int> Ranked)> groups, IReadOnlyList<IReadOnlyCollection<int>> removedCounts,
        LatencyTable? known, List<string> untimed)
    {
        var rows = new List<LatencyTableGroup>();
        for (var g = 0; g < groups.Count; g++)
        {
            var (producers, channels, ranked) = groups[g];
            var row = known?.Find(producers) is { } cached && cached.Channels == channels ? cached : new LatencyTableGroup(producers, channels, 0, []);
            var missing = removedCounts[g].Where(c => c > 0 && c <= ranked.Count && row.Points.All(p => p.Kept != channels - c)).Distinct().Order().ToList();
            if (missing.Count > 0 && (row.Points.Count > 0 || known?.Find(producers) is null))
            {
                row = Time(graph, shapes, row, ranked, missing) ?? row;
            }

            if (row.Points.Count == 0 && removedCounts[g].Any(c => c > 0))
            {
                untimed.Add(producers);
            }

            rows.Add(row);
        }

        return rows;
    }

    private static LatencyTableGroup? Time(ChannelGraph graph, IReadOnlyDictionary<string, long[]> shapes, LatencyTableGroup row, IReadOnlyList<int> ranked, List<int> missing)
    {
        var roots = ranked.ToHashSet();
        var probes = new List<Onnx.OnnxModel>();
        foreach (var removed in missing.Prepend(0))
        {
            if (LatencySubgraph.Build(graph, shapes, roots, ranked.Take(removed).ToHashSet()) is not { } probe)
            {
                return null;
            }

            probes.Add(probe);
        }

        List<double>[] times;
        try
        {
            times = LatencyRounds.Measure(probes, null);
        }
        catch (Exception e) when (e is Diagnostics.CompressBuildException or InvalidOperationException or ArgumentException)
        {
            return null;
        }

        var points = row.Points.ToDictionary(p => p.Kept);
        points[row.Channels] = new LatencyPoint(row.Channels, LatencyRounds.Median(times[0]), 0);
        for (var i = 0; i < missing.Count; i++)
        {
            var t = times[i + 1];
            var saved = LatencyRounds.MedianDifference(times[0], t);
            points[row.Channels - missing[i]] = new LatencyPoint(row.Channels - missing[i], LatencyRounds.Median(t), saved);
        }

        return row with { Nodes = probes[0].Graph.Node.Count, Points = points.Values.OrderByDescending(p => p.Kept).ToList() };
    }
}
