namespace CompressBuild.Engine.Quantization.Mixed;

/// <summary>
/// One activation Q/DQ pair of an int8-static model, as <c>mixed_units: activations</c> measured it: <see cref="Gain"/> is
/// what the model gains on the calibration data when this pair alone is left float (everything else int8): output cosine, or the
/// greedy-path score for a model whose output is a distribution (<see cref="MixedPrecisionResult.ActivationSignal"/>).
/// <see cref="KeptFloat"/> tells whether the chosen model leaves it float.
/// </summary>
/// <param name="Tensor">The activation, named as in the pre-processed model (what <c>QuantizationOptions.FloatActivations</c> takes).</param>
/// <param name="Producer">The op type that writes it ("input" for a model input).</param>
/// <param name="Readers">The op types that read it, comma-separated.</param>
public sealed record MixedPrecisionActivation(string Tensor, string Producer, string Readers, double Gain, bool KeptFloat);
