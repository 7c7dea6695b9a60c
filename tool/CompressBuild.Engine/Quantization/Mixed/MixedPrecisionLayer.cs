namespace CompressBuild.Engine.Quantization.Mixed;

/// <summary>
/// How much one layer hurts when it alone is quantized: the cosine of the model's outputs against the float
/// model on the calibration data (1 = no effect). <see cref="KeptFloat"/> tells whether mixed precision left it float.
/// </summary>
public sealed record MixedPrecisionLayer(string Node, string OpType, double Cosine, bool KeptFloat);
