using CompressBuild.Engine.Reconstruction;

namespace CompressBuild.Engine.Quantization.Mixed;

/// <summary>What ranking the layers cost.</summary>
/// <param name="Trials">Trial models built and run over the calibration data (probe: one per layer; hessian: none).</param>
/// <param name="Capture">The hessian ranking's Gram capture (its passes over the calibration data); null for probe.</param>
/// <param name="Time">Wall time of the ranking alone.</param>
public sealed record SensitivityRanking(SensitivityMethod Method, int Trials, ReconstructionTiming? Capture, TimeSpan Time);
