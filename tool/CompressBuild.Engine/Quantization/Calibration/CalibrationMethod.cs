namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>How an activation's quantization range is chosen from what calibration observed.</summary>
public enum CalibrationMethod
{
    MinMax,
    Percentile,
    Entropy,
    Mse,

    /// <summary>Per activation, the mse or the percentile range, whichever the model's output on the calibration data prefers (<see cref="RangeSearch"/>).</summary>
    Search,

    /// <summary>The median, over quarters of the calibration samples, of each quarter's mse range (<see cref="QuarterMedianRanges"/>).</summary>
    MseMedian,
}
