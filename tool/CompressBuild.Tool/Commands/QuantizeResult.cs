using CompressBuild.Engine.Preprocessing;
using CompressBuild.Engine.Quantization.Mixed;
using CompressBuild.Engine.Quantization;

namespace CompressBuild.Tool.Commands;

internal sealed record QuantizeResult(
    string Model,
    string Output,
    string Mode,
    string? Calibration,
    int CalibrationSamples,
    long OpsetBefore,
    long OpsetAfter,
    long BytesBefore,
    long BytesAfter,
    double SizeRatio,
    IReadOnlyList<QuantizeOpTypeSummary> OpTypes,
    IReadOnlyList<NodeDecision> Nodes,
    IReadOnlyList<QuantizationAdvisory> Advisories,
    IReadOnlyList<MixedPrecisionLayer>? Sensitivity,
    double? MixedPrecisionCosine,
    PreprocessResult? Preprocessing,
    IReadOnlyList<string> FusionRewrites,
    CompressBuild.Engine.Quantization.Fusion.FusionReport? Fusion)
{
    /// <summary>int8-static: the scale_constraint the scales follow ("none" or "pot"); null for other modes.</summary>
    public string? ScaleConstraint { get; init; }

    /// <summary>int8-static: how weights were rounded onto their grid ("nearest" or "adaround"); null for other modes.</summary>
    public string? Rounding { get; init; }

    /// <summary>int8-static <c>rounding: auto</c>: every setting's output cosine on held-out calibration samples, and the one chosen.</summary>
    public Engine.Quantization.Weights.RoundingChoice? RoundingChoice { get; init; }

    /// <summary>
    /// int8-static default (percentile ranges, <c>rounding: auto</c>): every long-tailed activation tried on its observed range, its
    /// held-out gain and whether it was moved; null when the choice did not run.
    /// </summary>
    public Engine.Quantization.Calibration.TailRangeReport? TailRanges { get; init; }

    /// <summary>mixed_units activations: every activation Q/DQ pair, what it gains alone (<see cref="ActivationSignal"/>) and whether it was left float; null otherwise.</summary>
    public IReadOnlyList<MixedPrecisionActivation>? ActivationSensitivity { get; init; }

    /// <summary>mixed_units activations: what the gains measure, "output cosine" or "greedy path"; null otherwise.</summary>
    public string? ActivationSignal { get; init; }

    /// <summary>mixed_units activations: the speed against fp32 the speed floor measured for the chosen model (1 thread).</summary>
    public CompressBuild.Engine.Evaluation.SpeedupEstimate? ActivationSpeedup { get; init; }
}
