using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Preprocessing;

namespace CompressBuild.Engine.Quantization;

/// <summary>The quantized model and an account of every decision that made it.</summary>
public sealed record QuantizationResult(
    OnnxModel Model,
    QuantizationMode Mode,
    long OpsetBefore,
    long OpsetAfter,
    IReadOnlyList<NodeDecision> Nodes,
    IReadOnlyList<QuantizationAdvisory> Advisories,
    int CalibrationSamples)
{
    public int QuantizedCount => Nodes.Count(n => n.Quantized);

    /// <summary>Wall time spent gathering activation statistics (int8-static), in milliseconds.</summary>
    public double CalibrationMilliseconds { get; init; }

    /// <summary>The process's CPU time, all threads, over the same span as <see cref="CalibrationMilliseconds"/>, in milliseconds.</summary>
    public double CalibrationCpuMilliseconds { get; init; }

    /// <summary>Exact rewrites made before quantizing (HardSwish fusion, affine ops folded into Convs), one line each.</summary>
    public IReadOnlyList<string> FusionRewrites { get; init; } = [];

    /// <summary>What ONNX Runtime runs as integer kernels in this model (null for fp16 or an unchanged model).</summary>
    public Fusion.FusionReport? Fusion { get; init; }
    /// <summary>int8-static latency-aware rounds (Latency.LatencyAwareQuantizer): what was found slower quantized and kept float; empty when none ran.</summary>
    public IReadOnlyList<Latency.LatencyRound> LatencyRounds { get; init; } = [];

    /// <summary>int8-static <c>rounding: auto</c>: the settings tried on held-out calibration samples and the one chosen (Weights.HeldOutChoice); null otherwise.</summary>
    public Weights.RoundingChoice? RoundingChoice { get; init; }

    /// <summary>int8-static defaults: the long-tailed activations whose range was chosen on held-out calibration samples (Calibration.TailRangeChoice); null otherwise.</summary>
    public Calibration.TailRangeReport? TailRanges { get; init; }

    /// <summary>What pre-processing and opset conversion changed before quantizing; null when neither ran.</summary>
    public PreprocessResult? Preprocessing { get; init; }
}
