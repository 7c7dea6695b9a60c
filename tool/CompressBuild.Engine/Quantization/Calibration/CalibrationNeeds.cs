namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>What calibration must keep of an activation for the range the options choose for it.</summary>
internal static class CalibrationNeeds
{
    /// <summary>
    /// Whether the activation's range needs the whole distribution (the 2048-bin histogram): mse, entropy and search weigh every
    /// value, and power-of-two scales compare two candidates over all of them. Minmax needs only the extremes, percentile only
    /// the exact tail of |x|.
    /// </summary>
    public static bool Bins(QuantizationOptions options, string activation) =>
        options.ScaleConstraint == ScaleConstraint.PowerOfTwo ||
        options.ActivationCalibration.GetValueOrDefault(activation, options.Calibration) is CalibrationMethod.Mse or CalibrationMethod.Entropy or CalibrationMethod.Search;
}
