namespace CompressBuild.Engine.Evaluation;

/// <summary>Summary of latency samples in milliseconds. Percentiles use linear interpolation between ranks.</summary>
public sealed record LatencyStatistics(int Samples, double MeanMs, double MedianMs, double P90Ms, double P99Ms, double MinMs, double MaxMs, double StdDevMs)
{
    /// <summary>Inferences per second at the median latency, times the batch each inference carries.</summary>
    public double Throughput(long batch = 1) => MedianMs > 0 ? 1000.0 * batch / MedianMs : 0;

    public static LatencyStatistics FromSamples(IReadOnlyCollection<double> milliseconds)
    {
        if (milliseconds.Count == 0)
        {
            throw new ArgumentException("at least one sample is needed.", nameof(milliseconds));
        }

        var sorted = milliseconds.Order().ToArray();
        var mean = sorted.Average();
        var variance = sorted.Length > 1 ? sorted.Sum(x => (x - mean) * (x - mean)) / (sorted.Length - 1) : 0;
        return new LatencyStatistics(sorted.Length, mean, Percentile(sorted, 0.5), Percentile(sorted, 0.9), Percentile(sorted, 0.99), sorted[0], sorted[^1], Math.Sqrt(variance));
    }

    public static double Percentile(double[] sorted, double quantile)
    {
        var rank = quantile * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }
}
