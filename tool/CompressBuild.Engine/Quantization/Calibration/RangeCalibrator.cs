namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>Turns what calibration observed about one activation into the range its quantization covers.</summary>
public abstract class RangeCalibrator
{
    /// <summary>The chosen [low, high]; it always contains 0, so zero is exactly representable.</summary>
    public QuantRange Range(ActivationHistogram histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        if (histogram.Count == 0)
        {
            return new QuantRange(0, 0);
        }

        var (low, high) = histogram.Radius == 0 ? (0f, 0f) : Choose(histogram);
        return new QuantRange(Math.Min(0f, Math.Max(low, histogram.Min)), Math.Max(0f, Math.Min(high, histogram.Max)));
    }

    public static RangeCalibrator Create(CalibrationMethod method, double percentile) => method switch
    {
        CalibrationMethod.MinMax => new MinMaxCalibrator(),
        CalibrationMethod.Percentile => new PercentileCalibrator(percentile),
        CalibrationMethod.Entropy => new EntropyCalibrator(),
        // Search starts from mse; RangeSearch.Resolve then names the activations that take the percentile range instead.
        // MseMedian's ranges come from QuarterMedianRanges; over one pooled histogram it is mse.
        CalibrationMethod.Mse or CalibrationMethod.Search or CalibrationMethod.MseMedian => new MseCalibrator(),
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };

    protected abstract (float Low, float High) Choose(ActivationHistogram histogram);

    /// <summary>Clip symmetrically at <paramref name="threshold"/>, within what was observed.</summary>
    protected static (float Low, float High) Symmetric(ActivationHistogram histogram, double threshold) =>
        ((float)Math.Max(histogram.Min, -threshold), (float)Math.Min(histogram.Max, threshold));
}
