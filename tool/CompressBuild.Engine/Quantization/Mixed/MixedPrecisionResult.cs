namespace CompressBuild.Engine.Quantization.Mixed;

/// <param name="Layers">Every candidate layer, most sensitive first.</param>
/// <param name="Cosine">Output cosine of the chosen model against the float model on the calibration data.</param>
/// <param name="TargetMet">Whether --target-cosine was reached (always true for --keep-float-top).</param>
public sealed record MixedPrecisionResult(QuantizationResult Quantization, IReadOnlyList<MixedPrecisionLayer> Layers, double Cosine, bool TargetMet)
{
    /// <summary>How the layers were ranked and what it cost; null when there was nothing to rank.</summary>
    public SensitivityRanking? Ranking { get; init; }

    /// <summary><c>mixed_units: activations</c>: every activation Q/DQ pair with what it gains alone (<see cref="ActivationSignal"/>), most harmful first; empty otherwise.</summary>
    public IReadOnlyList<MixedPrecisionActivation> Activations { get; init; } = [];

    /// <summary>
    /// <c>mixed_units: activations</c>: what each pair's gain measures, "output cosine" or "greedy path" (the mean log-probability of the
    /// float model's top class, for outputs that are distributions: Quantization.GreedyPathScore).
    /// </summary>
    public string ActivationSignal { get; init; } = ActivationChoice.CosineSignal;

    /// <summary><c>mixed_units: activations</c>: the speed against fp32 the speed floor measured, or null when no activation was left float.</summary>
    public Evaluation.SpeedupEstimate? ActivationSpeedup { get; init; }
}
