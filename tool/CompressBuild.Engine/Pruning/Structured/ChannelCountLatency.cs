using System.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// Times models that differ in their channel counts (the same model pruned at two round_to values) against each other on 1
/// intra-op thread (the setting speed ratios are quoted for), on the same inputs, in rotating order round after round so
/// drift on a shared machine hits each alike, as <see cref="InterleavedLatency"/> does. Returns each model's time per round.
/// </summary>
internal static class ChannelCountLatency
{
    private const int MinRounds = 15;

    private const int MaxRounds = 41;

    /// <summary>Each timed sample repeats a run until it lasts this long, so timer resolution does not matter.</summary>
    private static readonly TimeSpan MinSampleTime = TimeSpan.FromMilliseconds(2);

    /// <summary>Rounds continue past <see cref="MinRounds"/> until this much time, so small models still get enough samples.</summary>
    private static readonly TimeSpan MinTime = TimeSpan.FromMilliseconds(500);

    /// <param name="inputs">What every model is fed; null: seeded random values at the declared shapes, which must then be fixed.</param>
    public static IReadOnlyList<double>[] Measure(IReadOnlyList<OnnxModel> probes, IReadOnlyList<HostTensor>? inputs)
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
                var once = Time(run, 1);
                return once <= 0 ? 100 : (int)Math.Clamp(Math.Ceiling(MinSampleTime.TotalMilliseconds / once), 1, 100);
            }).ToArray();
            var times = probes.Select(_ => new List<double>()).ToArray();
            var clock = Stopwatch.StartNew();
            for (var round = 0; round < MaxRounds && (round < MinRounds || clock.Elapsed < MinTime); round++)
            {
                Diagnostics.Deadline.ThrowIfExpired();
                for (var k = 0; k < runs.Count; k++)
                {
                    var i = (k + round) % runs.Count;
                    times[i].Add(Time(runs[i], repeats[i]));
                }
            }

            return times.Select(t => (IReadOnlyList<double>)t).ToArray();
        }
        finally
        {
            runs.ForEach(r => r.Dispose());
            sessions.ForEach(s => s.Dispose());
        }
    }

    private static double Time(BoundRun run, int repeats)
    {
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < repeats; i++)
        {
            run.Invoke();
        }

        return Stopwatch.GetElapsedTime(start).TotalMilliseconds / repeats;
    }
}
