namespace CompressBuild.Engine.Evaluation;

/// <summary>Interleaved latency of a reference and a candidate, and the speedup between them.</summary>
/// <param name="ReferenceMs">Every timed reference run, in the order measured (pairs with <paramref name="CandidateMs"/> by index).</param>
/// <param name="RunsPerSample">Back-to-back runs averaged into each sample (1 unless the model is faster than <see cref="LatencyOptions.MinSampleTime"/>).</param>
/// <param name="ReachedTimeCap">True when sampling stopped at the time cap (the interval may then be wider than the target).</param>
public sealed record LatencyComparison(
    LatencyStatistics Reference,
    LatencyStatistics Candidate,
    SpeedupEstimate Speedup,
    int Pairs,
    int RunsPerSample,
    double Seconds,
    bool ReachedTimeCap,
    IReadOnlyList<double> ReferenceMs,
    IReadOnlyList<double> CandidateMs);
