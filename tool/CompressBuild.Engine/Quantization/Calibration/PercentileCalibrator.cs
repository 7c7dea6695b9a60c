namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>
/// Clips |x| at the given percentile of its distribution, dropping rare outliers: exactly, from the largest magnitudes the
/// calibration kept (<see cref="ActivationHistogram.TryMagnitudePercentile"/>), or at the upper edge of the histogram bin
/// that holds it (at most one bin width wider) when no such tail was kept.
/// </summary>
public sealed class PercentileCalibrator(double percentile) : RangeCalibrator
{
    protected override (float Low, float High) Choose(ActivationHistogram histogram)
    {
        if (histogram.TryMagnitudePercentile(percentile, out var exact))
        {
            return Symmetric(histogram, exact);
        }

        var magnitudes = histogram.Magnitudes();
        var total = magnitudes.Sum();
        var keep = total * percentile / 100.0;
        long running = 0;
        for (var i = 0; i < magnitudes.Length; i++)
        {
            running += magnitudes[i];
            if (running >= keep)
            {
                return Symmetric(histogram, (i + 1) * histogram.BinWidth);
            }
        }

        return (histogram.Min, histogram.Max);
    }
}
