using CompressBuild.Engine.Evaluation;

namespace CompressBuild.Engine.Quantization.Mixed;

/// <summary>What <see cref="ActivationSelection"/> measured and chose.</summary>
/// <param name="Pairs">Every activation pair with what it gains alone (<paramref name="Signal"/>), most harmful first.</param>
/// <param name="Chosen">The activations left float, most harmful first.</param>
/// <param name="Speedup">The chosen model's speed against fp32 (1 thread, interleaved), or null when nothing was left float.</param>
/// <param name="CutForSpeed">Whether the speed floor made the set smaller than the fidelity goal asked for.</param>
/// <param name="Signal">What the gains measure: <see cref="CosineSignal"/> or <see cref="PathSignal"/>.</param>
internal sealed record ActivationChoice(IReadOnlyList<MixedPrecisionActivation> Pairs, IReadOnlyList<string> Chosen, SpeedupEstimate? Speedup, bool CutForSpeed = false,
    string Signal = ActivationChoice.CosineSignal)
{
    public const string CosineSignal = "output cosine";

    public const string PathSignal = "greedy path";
}
