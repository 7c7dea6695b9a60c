namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>The whole observed range: no clipping, so outliers widen the step for every other value.</summary>
public sealed class MinMaxCalibrator : RangeCalibrator
{
    protected override (float Low, float High) Choose(ActivationHistogram histogram) => (histogram.Min, histogram.Max);
}
