using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Quantization.Mixed;

namespace CompressBuild.Engine.Quantization;

/// <summary>The quantized model and, when mixed precision ran, the layer sensitivities; <see cref="Calibration"/> is the data used, if any.</summary>
public sealed record QuantizationPassResult(QuantizationResult Result, MixedPrecisionResult? Mixed, Dataset? Calibration);
