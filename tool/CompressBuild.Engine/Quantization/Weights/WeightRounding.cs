namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>int8-static: how each weight is rounded onto its channel's grid (the grid itself is the same either way).</summary>
public enum WeightRounding
{
    /// <summary>Each weight to its nearest grid point.</summary>
    Nearest,

    /// <summary>
    /// Up or down, learned per weight on the calibration data to keep each layer's output (AdaRound, Nagel et al.
    /// 2020; Reconstruction.AdaRound). Needs calibration data, which int8-static always has.
    /// </summary>
    AdaRound,

    /// <summary>
    /// GPTQ (Frantar et al. 2023; Reconstruction.Gptq) on the per-channel int8 grid: columns are rounded in act-order and
    /// each one's rounding error is pushed onto the columns not yet rounded, on inputs captured from the quantized model.
    /// </summary>
    Gptq,

    /// <summary>
    /// The default: <see cref="Nearest"/> or <see cref="Gptq"/> (with or without SmoothQuant when the user set no strength), whichever
    /// keeps the output closest to the float model's on calibration samples the candidates were not quantized on
    /// (<see cref="HeldOutChoice"/>).
    /// </summary>
    Auto,
}
