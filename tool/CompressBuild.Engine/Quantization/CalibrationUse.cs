namespace CompressBuild.Engine.Quantization;

/// <summary>Whether a quantization mode reads calibration data.</summary>
public enum CalibrationUse
{
    /// <summary>Calibration data is only used by options every mode shares (mixed precision).</summary>
    Optional,

    /// <summary>The mode cannot run without it (int8-static's activation ranges).</summary>
    Required,
}
