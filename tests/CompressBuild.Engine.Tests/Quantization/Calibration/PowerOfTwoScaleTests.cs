using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Quantization.Weights;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Calibration;

public sealed class PowerOfTwoScaleTests
{
    [Fact]
    public void Candidates_are_the_powers_of_two_either_side_and_keep_a_symmetric_zero_point()
    {
        var exact = QuantParams.FromRange(new QuantRange(-1f, 1f), QuantType.S8, symmetric: true);

        var (floor, ceil) = PowerOfTwoScale.Candidates(exact, new QuantRange(-1f, 1f), symmetric: true);

        Assert.Equal(1f / 128, floor.Scale);
        Assert.Equal(1f / 64, ceil.Scale);
        Assert.Equal(0, floor.ZeroPoint);
        Assert.Equal(0, ceil.ZeroPoint);
    }

    [Fact]
    public void An_asymmetric_zero_point_is_recomputed_for_the_new_scale_so_zero_stays_exact()
    {
        var range = new QuantRange(-0.5f, 3f);
        var exact = QuantParams.FromRange(range, QuantType.U8, symmetric: false);

        var (floor, ceil) = PowerOfTwoScale.Candidates(exact, range, symmetric: false);

        Assert.Equal(1f / 128, floor.Scale);
        Assert.Equal(1f / 64, ceil.Scale);
        Assert.Equal(64, floor.ZeroPoint);
        Assert.Equal(32, ceil.ZeroPoint);
        Assert.Equal(0, PowerOfTwoScale.Squared(ceil, 0f));
    }

    [Fact]
    public void Values_that_fill_the_range_choose_the_ceil_and_many_small_values_with_one_outlier_choose_the_floor()
    {
        // Range +-1.5, exact scale 1.5/127: the floor (1/128) would clip everything past 0.99, a sixth of an even spread,
        // while for 40000 values inside +-0.5 plus one at 1.5 its halved rounding error outweighs clipping the one.
        var range = new QuantRange(-1.5f, 1.5f);
        var spread = Enumerable.Range(0, 1000).Select(i => -1.5f + (i * 3f / 999)).ToArray();
        var outlier = Enumerable.Range(0, 40000).Select(i => (i % 997 / 997f) - 0.5f).Append(1.5f).ToArray();
        var exact = QuantParams.FromRange(range, QuantType.S8, symmetric: true);

        var forSpread = PowerOfTwoScale.ForValues(exact, range, symmetric: true, spread);
        var forOutlier = PowerOfTwoScale.ForValues(exact, range, symmetric: true, outlier);

        Assert.Equal(1f / 64, forSpread.Scale);
        Assert.Equal(1f / 128, forOutlier.Scale);
    }

    [Theory]
    [InlineData(1f, true)]
    [InlineData(0.0078125f, true)]
    [InlineData(0.0078126f, false)]
    [InlineData(3f, false)]
    [InlineData(0f, false)]
    public void IsPowerOfTwo_reads_the_mantissa_bits(float scale, bool expected) => Assert.Equal(expected, PowerOfTwoScale.IsPowerOfTwo(scale));

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(1, true)]
    public void Per_channel_weights_get_power_of_two_scales_and_no_larger_error_than_the_worse_neighbour(int axis, bool reduceRange)
    {
        var random = new Random(5);
        var values = Enumerable.Range(0, 8 * 16).Select(_ => (float)((random.NextDouble() - 0.5) * (1 + random.Next(8)))).ToArray();

        var pot = WeightQuantization.Quantize(values, [8, 16], axis, QuantType.S8, symmetric: true, reduceRange, ScaleConstraint.PowerOfTwo);
        var exact = WeightQuantization.Quantize(values, [8, 16], axis, QuantType.S8, symmetric: true, reduceRange);

        Assert.All(pot.Scales, s => Assert.True(PowerOfTwoScale.IsPowerOfTwo(s), $"scale {s}"));
        Assert.All(pot.Scales.Zip(exact.Scales), p => Assert.InRange(p.First, p.Second / 2, p.Second * 2));
        if (reduceRange)
        {
            // The 7-bit grid survives: no weight lands past 64.
            Assert.All(pot.Data, b => Assert.InRange((int)(sbyte)b, -64, 64));
        }
    }
}
