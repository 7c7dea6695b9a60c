using CompressBuild.Engine.Quantization;

namespace CompressBuild.Tool.Commands;

/// <param name="CalibrationData">Calibration inputs (int8-static): .npy, .npz, a folder of &lt;input&gt;.npy, or test_data_set_N folders.</param>
/// <param name="CalibrationSamples">Use at most this many calibration samples (0 = all).</param>
/// <param name="TargetCosine">Mixed precision: keep the most sensitive layers float until the output cosine reaches this.</param>
/// <param name="KeepFloatTop">Mixed precision: keep this many of the most sensitive layers float.</param>
internal sealed record QuantizeOptions(string Model, string Output, string? CalibrationData, int CalibrationSamples, QuantizationOptions Engine, double? TargetCosine, int? KeepFloatTop, bool Json);
