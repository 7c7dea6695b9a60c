using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.Pruning.Unstructured;
using Xunit;

namespace CompressBuild.Engine.Tests.Pruning.Unstructured;

public class LayerAllocationTests
{
    [Fact]
    public void Distortion_keeps_the_total_exact_and_prunes_the_cheap_layer_more_within_the_spread()
    {
        var random = new Random(2);
        double[] Costs(int n, double scale) => Enumerable.Range(0, n).Select(_ => random.NextDouble() * scale).ToArray();
        double[][] costs = [Costs(9, 1), Costs(1000, 0.001), Costs(333, 0.1), Costs(57, 10)];
        var total = costs.Sum(c => c.Length);
        var target = (long)Math.Round(0.5 * total, MidpointRounding.AwayFromZero);

        var counts = LayerAllocation.ByDistortion(costs, target, spread: 0.2);

        Assert.Equal(target, counts.Sum());
        for (var l = 0; l < costs.Length; l++)
        {
            Assert.InRange(counts[l], Math.Floor(0.3 * costs[l].Length), Math.Ceiling(0.7 * costs[l].Length));
        }

        Assert.True(counts[1] > 0.55 * 1000, $"the cheap layer got {counts[1]} of 1000");
        Assert.Equal((long)Math.Floor(0.3 * 57), counts[3]);
        Assert.Equal(counts, LayerAllocation.ByDistortion(costs, target, spread: 0.2));
    }

    [Fact]
    public void Distortion_with_no_spread_is_the_uniform_count()
    {
        double[][] costs = [new double[100], new double[300]];
        Assert.Equal([50L, 150L], LayerAllocation.ByDistortion(costs, 200, spread: 0));
    }

    [Fact]
    public void Owl_prunes_the_layer_with_more_outliers_less_and_keeps_the_total_exact()
    {
        long[] sizes = [1000, 2000, 777];
        var target = (long)Math.Round(0.5 * sizes.Sum(), MidpointRounding.AwayFromZero);

        var counts = LayerAllocation.ByOutliers([0.01, 0.002, 0.005], sizes, target, spread: 0.1);

        Assert.Equal(target, counts.Sum());
        Assert.True((double)counts[0] / sizes[0] < (double)counts[2] / sizes[2]);
        Assert.True((double)counts[2] / sizes[2] < (double)counts[1] / sizes[1]);
        Assert.InRange((double)counts[0] / sizes[0], 0.3, 0.5);
    }

    [Fact]
    public void The_outlier_ratio_counts_scores_above_five_times_the_mean()
    {
        var scores = Enumerable.Repeat(1.0, 98).Concat([100.0, 3.0]).ToArray();
        Assert.Equal(0.01, LayerAllocation.OutlierRatio(scores), 12);
    }

    [Theory]
    [InlineData(PruneMethod.Magnitude, false, SparsityScope.Layer)]
    [InlineData(PruneMethod.Magnitude, true, SparsityScope.Global)]
    [InlineData(PruneMethod.Channel, true, SparsityScope.Layer)]
    public void Owl_without_calibration_data_globally_or_off_magnitude_is_cb2043(PruneMethod method, bool withData, SparsityScope scope)
    {
        var settings = new PruneSettings { Method = method, Allocation = SparsityAllocation.Owl, CalibrationData = withData ? "calibration.npy" : null, Scope = scope };

        var e = Assert.Throws<CompressBuildException>(settings.Validate);

        Assert.Equal("CB2043", e.Code.Id);
        Assert.Contains("allocation owl", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Owl_per_layer_magnitude_with_calibration_data_is_valid() =>
        new PruneSettings { Method = PruneMethod.Magnitude, Allocation = SparsityAllocation.Owl, CalibrationData = "calibration.npy", Scope = SparsityScope.Layer }.Validate();
}
