namespace CompressBuild.Engine.Quantization;

/// <summary>One quantization pass as the CLI and compress.yaml describe it: the engine options plus where calibration data comes from and the mixed-precision goal.</summary>
/// <param name="CalibrationData">Calibration inputs: .npy, .npz, a folder of &lt;input&gt;.npy, or test_data_set_N folders.</param>
/// <param name="CalibrationSamples">Use at most this many calibration samples (0 = all).</param>
/// <param name="TargetCosine">Mixed precision: keep the most sensitive layers float until the output cosine reaches this.</param>
/// <param name="KeepFloatTop">Mixed precision: keep this many of the most sensitive layers float.</param>
public sealed record QuantizationRequest(QuantizationOptions Options, string? CalibrationData = null, int CalibrationSamples = 0, double? TargetCosine = null, int? KeepFloatTop = null);
