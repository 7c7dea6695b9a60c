namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>The real interval a quantized tensor represents.</summary>
public readonly record struct QuantRange(float Low, float High);
