using System.Diagnostics;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Evaluation;

/// <summary>
/// Measures inference latency on the real runtime. Every sample is bound once (its outputs preallocated from a
/// first run), so the timed loop is one ORT Run per iteration with no managed allocation; samples are cycled
/// so data-dependent models are measured over their data, not one lucky input.
/// </summary>
public static class LatencyBenchmark
{
    public static LatencyStatistics Measure(InferenceSession session, IReadOnlyList<IReadOnlyList<HostTensor>> samples, int warmup, int iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        var runs = new List<BoundRun>(samples.Count);
        try
        {
            foreach (var inputs in samples)
            {
                var outputs = session.Run(inputs).Select(o => HostTensor.Zeros(o.Name, o.ElementType, o.Shape)).ToList();
                runs.Add(session.Bind(inputs, outputs));
            }

            for (var i = 0; i < warmup; i++)
            {
                runs[i % runs.Count].Invoke();
            }

            var times = new double[iterations];
            for (var i = 0; i < iterations; i++)
            {
                var run = runs[i % runs.Count];
                var start = Stopwatch.GetTimestamp();
                run.Invoke();
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            return LatencyStatistics.FromSamples(times);
        }
        finally
        {
            foreach (var run in runs)
            {
                run.Dispose();
            }
        }
    }
}
