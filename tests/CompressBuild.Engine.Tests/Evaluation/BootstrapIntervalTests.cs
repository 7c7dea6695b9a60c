using CompressBuild.Engine.Evaluation;
using Xunit;

namespace CompressBuild.Engine.Tests.Evaluation;

public class BootstrapIntervalTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(101)]
    [InlineData(1000)]
    public void Median_by_selection_matches_the_sorted_median(int count)
    {
        var random = new Random(count);
        var values = Enumerable.Range(0, count).Select(_ => Math.Round(random.NextDouble() * 10, 1)).ToArray();

        var expected = LatencyStatistics.Percentile([.. values.Order()], 0.5);

        Assert.Equal(expected, BootstrapInterval.Median([.. values]), 12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(999)]
    public void Interquartile_mean_by_selection_matches_the_sorted_middle_half(int count)
    {
        var random = new Random(count);
        var values = Enumerable.Range(0, count).Select(_ => Math.Round(random.NextDouble() * 10, 1)).ToArray();
        var sorted = values.Order().ToArray();
        var trim = count / 4;

        var expected = sorted[trim..(count - trim)].Average();

        Assert.Equal(expected, BootstrapInterval.InterquartileMean([.. values]), 12);
    }

    [Fact]
    public void The_interval_covers_a_known_ratio_and_narrows_with_more_pairs()
    {
        // Paired runs: shared machine noise multiplies both, the candidate is truly twice as fast.
        var random = new Random(7);
        var noise = Enumerable.Range(0, 4000).Select(_ => Math.Exp(random.NextDouble() * 0.5)).ToArray();
        var reference = noise.Select(n => 2.0 * n * (1 + (0.1 * random.NextDouble()))).ToArray();
        var candidate = noise.Select(n => 1.0 * n * (1 + (0.1 * random.NextDouble()))).ToArray();

        var few = BootstrapInterval.Ratio(reference, candidate, 100, 1000, 0.95, 1);
        var many = BootstrapInterval.Ratio(reference, candidate, 4000, 1000, 0.95, 1);

        Assert.InRange(2.0, many.Low, many.High);
        Assert.InRange(few.Ratio, few.Low, few.High);
        Assert.True(many.RelativeWidth < few.RelativeWidth, $"{many.RelativeWidth} vs {few.RelativeWidth}");
        Assert.Equal(many, BootstrapInterval.Ratio(reference, candidate, 4000, 1000, 0.95, 1));
    }
}
