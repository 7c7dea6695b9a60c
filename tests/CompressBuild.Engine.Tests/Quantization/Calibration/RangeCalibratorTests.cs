using CompressBuild.Engine.Quantization.Calibration;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Calibration;

public class RangeCalibratorTests
{
    /// <summary>10,000 ReLU-like values spread over [0, 1) plus one outlier at 20, fed in 100 samples.</summary>
    private static ActivationHistogram WithOutlier()
    {
        var histogram = new ActivationHistogram();
        var random = new Random(7);
        for (var sample = 0; sample < 100; sample++)
        {
            var values = Enumerable.Range(0, 100).Select(_ => (float)random.NextDouble()).ToArray();
            if (sample == 50)
            {
                values[3] = 20f;
            }

            histogram.Add(values);
        }

        return histogram;
    }

    [Fact]
    public void Minmax_covers_everything_observed()
    {
        var range = new MinMaxCalibrator().Range(WithOutlier());

        Assert.Equal(0f, range.Low, 3);
        Assert.Equal(20f, range.High);
    }

    [Theory]
    [InlineData(CalibrationMethod.Percentile)]
    [InlineData(CalibrationMethod.Entropy)]
    public void Clipping_methods_drop_a_lone_outlier_and_keep_the_bulk(CalibrationMethod method)
    {
        var range = RangeCalibrator.Create(method, 99.9).Range(WithOutlier());

        Assert.Equal(0f, range.Low);
        Assert.True(range.High < 19f, $"{method} kept the outlier: high {range.High}");
        Assert.True(range.High >= 0.45f, $"{method} clipped the bulk: high {range.High}");
    }

    [Fact]
    public void Entropy_leaves_out_the_exact_zeros_of_a_relu_output()
    {
        // A Relu output: 75% exact zeros, the rest exponential (mean 1) up to 10, the first sample holding the 10 (so the histogram
        // spans [-10, 10] and no widening moves the bins). Counted, the zeros' spike in the lowest bin made the search clip at
        // about 5 (the same search on this distribution in numpy: 4.94-4.99 over eight seeds, 7.2-8.5 without the zeros).
        var histogram = new ActivationHistogram();
        var random = new Random(5);
        for (var sample = 0; sample < 50; sample++)
        {
            var values = Enumerable.Range(0, 1000).Select(_ => random.NextDouble() < 0.75 ? 0f : (float)Math.Min(10, -Math.Log(1 - random.NextDouble()))).ToArray();
            values[0] = sample == 0 ? 10f : values[0];
            histogram.Add(values);
        }

        var range = new EntropyCalibrator().Range(histogram);

        Assert.InRange(histogram.Zeros, 36_000, 39_000);
        Assert.True(range.High >= 6.5f, $"high {range.High} of max {histogram.Max}");
    }

    [Fact]
    public void Histogram_counts_exact_zeros_in_the_vector_body_and_the_tail()
    {
        var histogram = new ActivationHistogram();
        histogram.Add([0f, 1f, -0f, 2f, 0f, 0f, 3f, 4f, 5f, 0f, 6f]);

        Assert.Equal(5, histogram.Zeros);
    }

    [Fact]
    public void Mse_clips_a_heavy_tail_but_never_below_the_bulk()
    {
        // 2% of the values spread thinly up to 50: clipping them costs less squared error than coarse steps for all.
        var histogram = new ActivationHistogram();
        var random = new Random(11);
        for (var sample = 0; sample < 50; sample++)
        {
            histogram.Add(Enumerable.Range(0, 200).Select(i => i % 50 == 0 ? (float)(random.NextDouble() * 50) : (float)random.NextDouble()).ToArray());
        }

        var range = new MseCalibrator().Range(histogram);

        Assert.True(range.High < histogram.Max, $"high {range.High} of max {histogram.Max}");
        Assert.True(range.High >= 1f, $"high {range.High}");
    }

    [Fact]
    public void Range_always_contains_zero_even_for_all_positive_data()
    {
        var histogram = new ActivationHistogram();
        histogram.Add([2f, 3f, 4f]);

        var range = new MinMaxCalibrator().Range(histogram);

        Assert.Equal(0f, range.Low);
        Assert.Equal(4f, range.High);
    }

    [Fact]
    public void Histogram_memory_is_fixed_and_widening_keeps_counts_in_place()
    {
        var histogram = new ActivationHistogram();
        histogram.Add([0.5f, -0.25f]);
        var radiusBefore = histogram.Radius;
        histogram.Add([3.9f]);

        Assert.Equal(ActivationHistogram.BinCount, histogram.Counts.Length);
        Assert.Equal(radiusBefore * 8, histogram.Radius);
        Assert.Equal(3, histogram.Count);
        var magnitudes = histogram.Magnitudes();
        var width = histogram.BinWidth;
        Assert.Equal(1, magnitudes[(int)(0.5 / width)] + magnitudes[(int)(0.5 / width) - 1]);
        Assert.Equal(1, magnitudes[(int)(0.25 / width)] + magnitudes[(int)(0.25 / width) - 1]);
        Assert.Equal(1, magnitudes[Math.Min(magnitudes.Length - 1, (int)(3.9 / width))]);
    }

    [Fact]
    public void The_vector_pass_carries_min_max_zeros_and_the_tail_across_the_chunks_of_a_long_span()
    {
        // 5003 values: five chunks of the vector pass and a scalar rest; the extremes, zeros and largest magnitudes sit in different chunks.
        var random = new Random(11);
        var values = Enumerable.Range(0, 5003).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        values[2100] = -7.5f;
        values[3300] = 9.25f;
        values[4500] = 8f;
        foreach (var at in new[] { 5, 1500, 2999, 4096, 5002 })
        {
            values[at] = 0f;
        }

        var summary = new ActivationHistogram(binned: false, percentile: 99.95, samples: 1);
        summary.Add(values);

        Assert.Equal(-7.5f, summary.Min);
        Assert.Equal(9.25f, summary.Max);
        Assert.Equal(values.Count(v => v == 0), summary.Zeros);
        var rank = (int)Math.Ceiling(values.Length * 99.95 / 100);
        Assert.True(summary.TryMagnitudePercentile(99.95, out var tail));
        Assert.Equal(values.Select(Math.Abs).Order().ElementAt(rank - 1), tail);

        values[4000] = float.NaN;
        var broken = new ActivationHistogram();
        broken.Add(values);
        Assert.True(broken.HasNonFinite);
    }

    [Fact]
    public void Non_finite_values_are_flagged()
    {
        var histogram = new ActivationHistogram();
        histogram.Add([1f, float.NaN]);

        Assert.True(histogram.HasNonFinite);
    }
}
