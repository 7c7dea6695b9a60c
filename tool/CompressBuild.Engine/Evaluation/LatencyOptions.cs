namespace CompressBuild.Engine.Evaluation;

/// <summary>How the A/B latency comparison samples: it stops once the speedup interval is narrow enough, or at a cap.</summary>
public sealed record LatencyOptions
{
    /// <summary>Untimed runs of each model first (caches, lazy allocations, thread pools).</summary>
    public int Warmup { get; init; } = 20;

    /// <summary>Time cap on the timed runs of both models together; sampling stops there even if the interval is wide.</summary>
    public TimeSpan MaxTime { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Sample at least this long (or up to <see cref="MaxTime"/> if shorter): a narrow interval from a split second of timings can be one lucky quiet moment.</summary>
    public TimeSpan MinTime { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>
    /// Shortest timed slot: a model faster than this is run several times back to back per sample and the mean
    /// recorded, because the clock's granularity (about 100 ns on VMs) would otherwise make a 4 µs model's
    /// medians move in steps of 2-3% and the interval falsely exact.
    /// </summary>
    public TimeSpan MinSampleTime { get; init; } = TimeSpan.FromMicroseconds(50);

    /// <summary>Stop when the speedup interval is at most this wide, relative to the estimate.</summary>
    public double TargetRelativeWidth { get; init; } = 0.05;

    /// <summary>Never stop before this many A/B pairs: a bootstrap on a handful of samples is too optimistic.</summary>
    public int MinPairs { get; init; } = 50;

    /// <summary>Stop at this many pairs (the bootstrap's cost grows with them; tiny models reach it long before the time cap).</summary>
    public int MaxPairs { get; init; } = 20_000;

    public double ConfidenceLevel { get; init; } = 0.95;

    /// <summary>Bootstrap resamples for the final interval (the stopping checks use fewer).</summary>
    public int Resamples { get; init; } = 1000;

    /// <summary>Seed of the bootstrap's resampling, so the same timings always give the same interval.</summary>
    public int Seed { get; init; } = 20_261_122;
}
