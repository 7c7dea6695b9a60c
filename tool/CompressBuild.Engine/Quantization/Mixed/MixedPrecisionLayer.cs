namespace CompressBuild.Engine.Quantization.Mixed;

/// <summary>
/// How much one layer hurts when quantized. <see cref="Cosine"/> (probe ranking): the model's output cosine against the
/// float model on the calibration data when it alone is quantized (1 = no effect). <see cref="Hessian"/> (hessian ranking):
/// HAWQ-V3's trace(H) x ||W - Q(W)||^2 / n (higher = more sensitive; null when the layer has no linear float weight).
/// <see cref="KeptFloat"/> tells whether mixed precision left it float.
/// </summary>
public sealed record MixedPrecisionLayer(string Node, string OpType, double? Cosine, bool KeptFloat)
{
    public double? Hessian { get; init; }
}
