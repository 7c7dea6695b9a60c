using CompressBuild.Engine.Quantization.Calibration;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Calibration;

public sealed class MagnitudeTailTests
{
    /// <summary>The magnitudes 0..999,999 in a random order with random signs, in 100 samples of 10,000.</summary>
    private static List<float[]> ShuffledIntegers(int seed)
    {
        var random = new Random(seed);
        var values = Enumerable.Range(0, 1_000_000).Select(i => random.Next(2) == 0 ? i : -(float)i).ToArray();
        random.Shuffle(values);
        return values.Chunk(10_000).ToList();
    }

    [Theory]
    [InlineData(99.999, 999_989)]
    [InlineData(99.99, 999_899)]
    [InlineData(100.0, 999_999)]
    public void The_tail_gives_the_exact_percentile_of_a_known_distribution(double percentile, float expected)
    {
        // Of the magnitudes 0..N-1 (N = 10^6), the smallest with p% of them at or below it is ceil(N p / 100) - 1.
        var samples = ShuffledIntegers(3);
        var histogram = new ActivationHistogram(binned: false, percentile, samples.Count);
        foreach (var sample in samples)
        {
            histogram.Add(sample);
        }

        Assert.False(histogram.Binned);
        Assert.True(histogram.TryMagnitudePercentile(percentile, out var value));
        Assert.Equal(expected, value);
        // The range clips at the upper edge of that value's histogram bin, as the full histogram would.
        var range = new PercentileCalibrator(percentile).Range(histogram);
        Assert.InRange(range.High, Math.Min(expected, histogram.Max), Math.Min(expected + histogram.BinWidth, histogram.Max));
        Assert.InRange(-range.Low, Math.Min(expected, -histogram.Min), Math.Min(expected + histogram.BinWidth, -histogram.Min));
    }

    [Fact]
    public void The_exact_percentile_lies_within_one_bin_below_the_histograms_which_the_range_from_the_tail_equals()
    {
        // A heavy-tailed activation (Laplace, scale 1, plus rare spikes): the histogram clips at the upper edge of the bin holding the percentile.
        var random = new Random(9);
        var exact = new ActivationHistogram(binned: true, 99.999, 64);
        var binned = new ActivationHistogram();
        for (var sample = 0; sample < 64; sample++)
        {
            var values = Enumerable.Range(0, 4096).Select(_ =>
                (float)((random.NextDouble() < 0.5 ? -1 : 1) * -Math.Log(1 - random.NextDouble()) * (random.NextDouble() < 0.001 ? 30 : 1))).ToArray();
            exact.Add(values);
            binned.Add(values);
        }

        Assert.True(exact.TryMagnitudePercentile(99.999, out var threshold));
        var fromTail = new PercentileCalibrator(99.999).Range(exact);
        var fromBins = new PercentileCalibrator(99.999).Range(binned);
        Assert.InRange(fromBins.High - Math.Min(threshold, binned.Max), 0, binned.BinWidth);
        Assert.InRange(Math.Max(-threshold, binned.Min) - fromBins.Low, 0, binned.BinWidth);
        Assert.Equal(fromBins, fromTail);
    }

    [Fact]
    public void A_percentile_needing_more_values_than_the_tail_may_hold_keeps_the_histogram()
    {
        var histogram = new ActivationHistogram(binned: false, 99.0, 100);
        histogram.Add(new float[100_000]);

        Assert.True(histogram.Binned);
        Assert.False(histogram.TryMagnitudePercentile(99.0, out _));
        Assert.Equal(ActivationHistogram.BinCount, histogram.Counts.Length);
    }

    [Fact]
    public void A_summary_without_bins_refuses_the_methods_that_need_them()
    {
        var histogram = new ActivationHistogram(binned: false, 99.999, 1);
        histogram.Add([1f, -2f, 3f]);

        Assert.True(histogram.Serves(bins: false, 99.999));
        Assert.False(histogram.Serves(bins: true, 99.999));
        Assert.Throws<InvalidOperationException>(() => new MseCalibrator().Range(histogram));
    }

    [Fact]
    public void Selection_returns_the_same_value_as_a_sort_with_ties()
    {
        var random = new Random(4);
        for (var trial = 0; trial < 50; trial++)
        {
            var values = Enumerable.Range(0, 1 + random.Next(3000)).Select(_ => (float)random.Next(40)).ToArray();
            var rank = 1 + random.Next(values.Length);
            var sorted = values.OrderDescending().ToArray();

            Assert.Equal(sorted[rank - 1], MagnitudeTail.Largest(values.ToArray(), rank));
        }
    }

    [Fact]
    public void Values_at_or_below_the_threshold_are_never_needed()
    {
        // Offered one at a time from small to large, every selection raises the threshold; the kept values stay the largest.
        var tail = new MagnitudeTail(keep: 10);
        for (var i = 0; i < 5000; i++)
        {
            tail.Offer([i % 2 == 0 ? i : -i]);
        }

        Assert.True(tail.Threshold > 0);
        for (var rank = 1; rank <= 10; rank++)
        {
            Assert.True(tail.TryLargest(rank, out var value));
            Assert.Equal(5000 - rank, value);
        }
    }

    [Fact]
    public void Offering_whole_spans_keeps_exactly_what_offering_one_value_at_a_time_keeps()
    {
        // Spans of odd lengths (a scalar rest after the vectors), NaN, -0 and ties; selections happen inside spans, which raise the
        // threshold the vector pre-check read before them.
        var random = new Random(5);
        var spans = Enumerable.Range(0, 200).Select(s => Enumerable.Range(0, 37 + random.Next(3000))
            .Select(_ => random.Next(50) == 0 ? float.NaN : random.Next(40) == 0 ? -0f : (float)Math.Round(random.NextDouble() * s * (random.Next(2) == 0 ? -1 : 1), 2))
            .ToArray()).ToList();
        var whole = new MagnitudeTail(keep: 300);
        var single = new MagnitudeTail(keep: 300);
        foreach (var span in spans)
        {
            whole.Offer(span);
            foreach (var v in span)
            {
                single.Offer([v]);
            }

            Assert.Equal(single.Threshold, whole.Threshold);
            Assert.Equal(single.Count, whole.Count);
        }

        Assert.True(whole.Threshold > 0);
        for (var rank = 1; rank <= whole.Count; rank++)
        {
            Assert.True(whole.TryLargest(rank, out var fromSpans));
            Assert.True(single.TryLargest(rank, out var fromValues));
            Assert.Equal(fromValues, fromSpans);
        }
    }
}
