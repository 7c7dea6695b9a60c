using System.Diagnostics;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Evaluation;

/// <summary>
/// Measures a reference and a candidate model in alternation (A B, B A, A B ...) on the same samples and thread
/// settings, so that drift on a shared machine (other processes, frequency changes) hits both alike. Sampling
/// goes on until the bootstrap interval of the speedup is narrow enough, the pair cap or the time cap is hit.
/// </summary>
public static class InterleavedLatency
{
    private const int CheckResamples = 200;

    public static LatencyComparison Measure(InferenceSession reference, InferenceSession candidate, IReadOnlyList<IReadOnlyList<HostTensor>> samples, LatencyOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfZero(samples.Count);
        var referenceRuns = new List<BoundRun>(samples.Count);
        var candidateRuns = new List<BoundRun>(samples.Count);
        try
        {
            foreach (var inputs in samples)
            {
                referenceRuns.Add(Bind(reference, inputs));
                candidateRuns.Add(Bind(candidate, inputs));
            }

            for (var i = 0; i < options.Warmup; i++)
            {
                Diagnostics.Deadline.ThrowIfExpired();
                referenceRuns[i % samples.Count].Invoke();
                candidateRuns[i % samples.Count].Invoke();
            }

            var repeats = RunsPerSample(referenceRuns[0], candidateRuns[0], options.MinSampleTime);
            var a = new List<double>();
            var b = new List<double>();
            var clock = Stopwatch.StartNew();
            var nextCheck = options.MinPairs;
            var reachedTimeCap = false;
            while (true)
            {
                Diagnostics.Deadline.ThrowIfExpired();
                var i = a.Count;
                var sample = i % samples.Count;

                // Alternating which model goes first cancels any advantage of running second (warm caches, turbo state).
                if (i % 2 == 0)
                {
                    a.Add(Time(referenceRuns[sample], repeats));
                    b.Add(Time(candidateRuns[sample], repeats));
                }
                else
                {
                    b.Add(Time(candidateRuns[sample], repeats));
                    a.Add(Time(referenceRuns[sample], repeats));
                }

                if (a.Count >= options.MaxPairs)
                {
                    break;
                }

                if (clock.Elapsed >= options.MaxTime && a.Count >= 2)
                {
                    reachedTimeCap = true;
                    break;
                }

                if (a.Count >= nextCheck && clock.Elapsed >= options.MinTime)
                {
                    var check = BootstrapInterval.Ratio(a, b, a.Count, CheckResamples, options.ConfidenceLevel, options.Seed);
                    if (check.RelativeWidth <= options.TargetRelativeWidth)
                    {
                        break;
                    }

                    // Geometric checks keep the bootstrap's total cost a small multiple of the last one.
                    nextCheck = Math.Max(nextCheck + 1, (int)(nextCheck * 1.5));
                }
            }

            var seconds = clock.Elapsed.TotalSeconds;
            var speedup = BootstrapInterval.Ratio(a, b, a.Count, options.Resamples, options.ConfidenceLevel, options.Seed);
            return new LatencyComparison(LatencyStatistics.FromSamples(a), LatencyStatistics.FromSamples(b), speedup, a.Count, repeats, seconds, reachedTimeCap, a, b);
        }
        finally
        {
            foreach (var run in referenceRuns.Concat(candidateRuns))
            {
                run.Dispose();
            }
        }
    }

    private static BoundRun Bind(InferenceSession session, IReadOnlyList<HostTensor> inputs)
    {
        var outputs = session.Run(inputs).Select(o => HostTensor.Zeros(o.Name, o.ElementType, o.Shape)).ToList();
        return session.Bind(inputs, outputs);
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

    /// <summary>How many runs make one timed slot of at least <paramref name="minimum"/> for the faster model.</summary>
    private static int RunsPerSample(BoundRun reference, BoundRun candidate, TimeSpan minimum)
    {
        const int Probes = 10;
        var fastest = Math.Min(Time(reference, Probes), Time(candidate, Probes));
        return fastest <= 0 ? 1000 : (int)Math.Clamp(Math.Ceiling(minimum.TotalMilliseconds / fastest), 1, 1000);
    }
}
