using CompressBuild.Engine.Evaluation;
using Xunit;

namespace CompressBuild.Engine.Tests.Evaluation;

public class LatencyStatisticsTests
{
    [Fact]
    public void Percentiles_interpolate_between_ranks()
    {
        var stats = LatencyStatistics.FromSamples(Enumerable.Range(1, 101).Select(i => (double)i).Reverse().ToList());

        Assert.Equal(51, stats.MedianMs);
        Assert.Equal(91, stats.P90Ms, 9);
        Assert.Equal(100, stats.P99Ms, 9);
        Assert.Equal(1, stats.MinMs);
        Assert.Equal(101, stats.MaxMs);
        Assert.Equal(51, stats.MeanMs, 9);
    }

    [Fact]
    public void Throughput_counts_the_batch()
    {
        var stats = LatencyStatistics.FromSamples([2.0, 2.0, 2.0]);

        Assert.Equal(500, stats.Throughput());
        Assert.Equal(4000, stats.Throughput(batch: 8));
        Assert.Equal(0, stats.StdDevMs);
    }

    [Fact]
    public void No_samples_is_an_error()
    {
        Assert.Throws<ArgumentException>(() => LatencyStatistics.FromSamples([]));
    }
}
