using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Pruning.Structured.Latency;

/// <summary>
/// Times models against each other on 1 intra-op thread in the thread's CPU time (<see cref="ThreadCpuClock"/>): the latency table's
/// sub-models, and whole models when a benchmark or test checks the table's prediction.
/// </summary>
public static class LatencyRounds
{
    private const int MinRounds = 15;

    private const int MaxRounds = 61;

    private const double MinSampleMs = 1;

    private const double MinTotalMs = 400;

    /// <summary>
    /// Per model, its time per run (ms of this thread's CPU, <see cref="ThreadCpuClock"/>) in each round: every round runs each probe once in
    /// rotating order, each sample repeating the run until it lasts <see cref="MinSampleMs"/>, for at least <see cref="MinRounds"/> rounds and
    /// <see cref="MinTotalMs"/>, at most <see cref="MaxRounds"/>.
    /// </summary>
    /// <param name="inputs">What every model is fed; null: seeded random values at the declared shapes, which must then be fixed.</param>
    public static List<double>[] Measure(IReadOnlyList<OnnxModel> probes, IReadOnlyList<HostTensor>? inputs) =>
        Measure(probes, inputs, ThreadCpuClock.NowMs, MaxRounds, MinSampleMs, MinTotalMs);

    /// <summary>The same rotation on another clock and limits (round_to auto's whole-model check reads the wall clock).</summary>
    /// <param name="clockMs">Reads the clock, in ms.</param>
    internal static List<double>[] Measure(IReadOnlyList<OnnxModel> probes, IReadOnlyList<HostTensor>? inputs, Func<double> clockMs, int maxRounds,
        double minSampleMs, double minTotalMs)
    {
        var sessions = new List<InferenceSession>();
        var runs = new List<BoundRun>();
        try
        {
            foreach (var probe in probes)
            {
                var session = ModelSessions.Open(probe, SessionSettings.Default with { IntraOpThreads = 1, InterOpThreads = 1 });
                sessions.Add(session);
                var feed = inputs ?? RandomInputs.Create(session.Inputs, new Dictionary<string, long>());
                var outputs = session.Run(feed).Select(o => HostTensor.Zeros(o.Name, o.ElementType, o.Shape)).ToList();
                runs.Add(session.Bind(feed, outputs));
            }

            var repeats = runs.Select(run =>
            {
                run.Invoke();
                var once = Time(run, 1, clockMs);
                return once <= 0 ? 100 : (int)Math.Clamp(Math.Ceiling(minSampleMs / once), 1, 100);
            }).ToArray();
            var times = probes.Select(_ => new List<double>()).ToArray();
            var spent = 0.0;
            for (var round = 0; round < maxRounds && (round < MinRounds || spent < minTotalMs); round++)
            {
                Diagnostics.Deadline.ThrowIfExpired();
                for (var k = 0; k < runs.Count; k++)
                {
                    var i = (k + round) % runs.Count;
                    var ms = Time(runs[i], repeats[i], clockMs);
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

    private static double Time(BoundRun run, int repeats, Func<double> clockMs)
    {
        var start = clockMs();
        for (var i = 0; i < repeats; i++)
        {
            run.Invoke();
        }

        return (clockMs() - start) / repeats;
    }

    public static double Median(IReadOnlyList<double> values) => values.Count == 0 ? 0 : LatencyStatistics.Percentile([.. values.Order()], 0.5);

    /// <summary>The median over rounds of <paramref name="a"/>'s time minus <paramref name="b"/>'s in the same round: what b saves over a.</summary>
    public static double MedianDifference(IReadOnlyList<double> a, IReadOnlyList<double> b) =>
        Median(Enumerable.Range(0, Math.Min(a.Count, b.Count)).Select(r => a[r] - b[r]).ToList());
}
