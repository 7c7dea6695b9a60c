namespace CompressBuild.Engine.Quantization.Mixed;

/// <param name="Layers">Every candidate layer, most sensitive first.</param>
/// <param name="Cosine">Output cosine of the chosen model against the float model on the calibration data.</param>
/// <param name="TargetMet">Whether --target-cosine was reached (always true for --keep-float-top).</param>
public sealed record MixedPrecisionResult(QuantizationResult Quantization, IReadOnlyList<MixedPrecisionLayer> Layers, double Cosine, bool TargetMet)
{
    /// <summary>How the layers were ranked and what it cost; null when there was nothing to rank.</summary>
    public SensitivityRanking? Ranking { get; init; }

    /// <summary><c>mixed_units: activations</c>: every activation Q/DQ pair with the cosine it gains alone, most harmful first; empty otherwise.</summary>
    public IReadOnlyList<MixedPrecisionActivation> Activations { get; init; } = [];

    /// <summary><c>mixed_units: activations</c>: the speed against fp32 the speed floor measured, or null when no activation was left float.</summary>
    public Evaluation.SpeedupEstimate? ActivationSpeedup { get; init; }
}
