namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>What calibration must keep of an activation for the range the options choose for it.</summary>
internal static class CalibrationNeeds
{
    /// <summary>
    /// Whether the activation's range needs the whole distribution (the 2048-bin histogram): mse, entropy and search weigh every
    /// value, and power-of-two scales compare two candidates over all of them. Minmax needs only the extremes, percentile only
    /// the exact tail of |x|.
    /// </summary>
    /// <param name="method">The activation's own range method (the options' method, a per-activation choice, or a rule's such as
    /// <c>RecurrentState.RangeMethod</c>).</param>
    public static bool Bins(QuantizationOptions options, CalibrationMethod method) =>
        options.ScaleConstraint == ScaleConstraint.PowerOfTwo || method is CalibrationMethod.Mse or CalibrationMethod.Entropy or CalibrationMethod.Search or CalibrationMethod.MseMedian;
}
