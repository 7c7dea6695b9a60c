using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Runtime;

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
    private const int MinRounds = 15;

    private const int MaxRounds = 61;

    private const double MinSampleMs = 1;

    private const double MinTotalMs = 400;

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
            times = Rounds(probes);
        }
        catch (Exception e) when (e is Diagnostics.CompressBuildException or InvalidOperationException or ArgumentException)
        {
            return null;
        }

        var points = row.Points.ToDictionary(p => p.Kept);
        points[row.Channels] = new LatencyPoint(row.Channels, Median(times[0]), 0);
        for (var i = 0; i < missing.Count; i++)
        {
            var t = times[i + 1];
            var saved = Median(Enumerable.Range(0, Math.Min(t.Count, times[0].Count)).Select(r => times[0][r] - t[r]).ToList());
            points[row.Channels - missing[i]] = new LatencyPoint(row.Channels - missing[i], Median(t), saved);
        }

        return row with { Nodes = probes[0].Graph.Node.Count, Points = points.Values.OrderByDescending(p => p.Kept).ToList() };

        static double Median(IReadOnlyList<double> values) => LatencyStatistics.Percentile([.. values.Order()], 0.5);
    }

    /// <summary>
    /// Per probe, its time per run (ms of this thread's CPU, <see cref="ThreadCpuClock"/>) in each round: every round runs each probe once in
    /// rotating order, each sample repeating the run until it lasts <see cref="MinSampleMs"/>, for at least <see cref="MinRounds"/> rounds and
    /// <see cref="MinTotalMs"/>, at most <see cref="MaxRounds"/>.
    /// </summary>
    private static List<double>[] Rounds(IReadOnlyList<Onnx.OnnxModel> probes)
    {
        var sessions = new List<InferenceSession>();
        var runs = new List<BoundRun>();
        try
        {
            foreach (var probe in probes)
            {
                var session = ModelSessions.Open(probe, SessionSettings.Default with { IntraOpThreads = 1, InterOpThreads = 1 });
                sessions.Add(session);
                var feed = RandomInputs.Create(session.Inputs, new Dictionary<string, long>());
                var outputs = session.Run(feed).Select(o => HostTensor.Zeros(o.Name, o.ElementType, o.Shape)).ToList();
                runs.Add(session.Bind(feed, outputs));
            }

            var repeats = runs.Select(run =>
            {
                run.Invoke();
                var once = Time(run, 1);
                return once <= 0 ? 100 : (int)Math.Clamp(Math.Ceiling(MinSampleMs / once), 1, 100);
            }).ToArray();
            var times = probes.Select(_ => new List<double>()).ToArray();
            var spent = 0.0;
            for (var round = 0; round < MaxRounds && (round < MinRounds || spent < MinTotalMs); round++)
            {
                Diagnostics.Deadline.ThrowIfExpired();
                for (var k = 0; k < runs.Count; k++)
                {
                    var i = (k + round) % runs.Count;
                    var ms = Time(runs[i], repeats[i]);
                    times[i].Add(ms);
                    spent += ms * repeats[i];
                }
            }

            return times;
        }
        finally
        {
            runs.ForEach(r => r.Dispose());
            sessions.ForEach(s => s.Dispose());
        }
    }

    private static double Time(BoundRun run, int repeats)
    {
        var start = ThreadCpuClock.NowMs();
        for (var i = 0; i < repeats; i++)
        {
            run.Invoke();
        }

        return (ThreadCpuClock.NowMs() - start) / repeats;
    }
}
