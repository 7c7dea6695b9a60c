namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>How an activation's quantization range is chosen from what calibration observed.</summary>
public enum CalibrationMethod
{
    MinMax,
    Percentile,
    Entropy,
    Mse,
}
