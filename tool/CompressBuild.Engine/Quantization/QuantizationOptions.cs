using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization;

/// <summary>
/// Every choice a quantization run makes. The defaults are the fast CPU path of ONNX Runtime: per-channel s8
/// symmetric weights, u8 asymmetric activations, percentile calibration at 99.999.
/// </summary>
public sealed record QuantizationOptions
{
    public QuantizationMode Mode { get; init; } = QuantizationMode.Int8Static;

    public CalibrationMethod Calibration { get; init; } = CalibrationMethod.Percentile;

    /// <summary>For <see cref="CalibrationMethod.Percentile"/>: the share of |values| kept inside the range, in percent.</summary>
    public double Percentile { get; init; } = 99.999;

    public bool PerChannel { get; init; } = true;

    public QuantType ActivationType { get; init; } = QuantType.U8;

    public QuantType WeightType { get; init; } = QuantType.S8;

    public bool ActivationSymmetric { get; init; }

    public bool WeightSymmetric { get; init; } = true;

    /// <summary>Weight-only modes: how many consecutive weights along K share one scale (a power of two, at least 16).</summary>
    public int BlockSize { get; init; } = 32;

    /// <summary>
    /// int4-weight / int8-weight: GPTQ (act-order, the block grid fixed from the original weights) on the calibration
    /// data instead of round-to-nearest. Null means on whenever calibration data is given.
    /// </summary>
    public bool? Gptq { get; init; }

    /// <summary>
    /// int4-weight / int8-weight: SplitQuant, each MatMul / Conv split into three layers holding its lower outliers, middle
    /// and upper outliers (1-D k-means), each quantized with its own scales; 3x the weight bytes of the layers split.
    /// </summary>
    public bool Split { get; init; }

    /// <summary>Weight-only modes: false stores a zero point per block.</summary>
    public bool BlockSymmetric { get; init; } = true;

    /// <summary>
    /// Weight-only modes: MatMulNBits' accuracy_level (0 unset, 1 fp32, 2 fp16, 3 bf16, 4 int8 compute). Default 4:
    /// on CPU, ONNX Runtime's int8-compute kernels are the fast path (8-bit weights at level 0 run ~60x slower here).
    /// </summary>
    public int AccuracyLevel { get; init; } = 4;

    public IReadOnlyList<string> ExcludeNodes { get; init; } = [];

    public IReadOnlyList<string> ExcludeOpTypes { get; init; } = [];

    public KeepFloat KeepFloat { get; init; }

    /// <summary>
    /// int8-static: activation tensors (named as in the pre-processed model) that get no Q/DQ pair, so the nodes reading
    /// them compute in float while their weights stay int8 behind DequantizeLinear. Mixed precision with
    /// <c>mixed_units: activations</c> chooses them (Mixed.ActivationSelection); empty by default.
    /// </summary>
    public IReadOnlyList<string> FloatActivations { get; init; } = [];

    /// <summary>
    /// int8-static: activations (named as in the pre-processed model) whose range another method than <see cref="Calibration"/>
    /// chooses; <see cref="CalibrationMethod.Search"/> fills it (Calibration.RangeSearch). Empty by default.
    /// </summary>
    public IReadOnlyDictionary<string, CalibrationMethod> ActivationCalibration { get; init; } = new Dictionary<string, CalibrationMethod>(StringComparer.Ordinal);

    /// <summary>fp16: op types left in float32 (numerically fragile), with Casts around them.</summary>
    public IReadOnlyList<string> Fp16BlockList { get; init; } = DefaultFp16BlockList;

    /// <summary>fp16: when true (default) model inputs and outputs keep float32, with Casts at the boundary.</summary>
    public bool KeepIoTypes { get; init; } = true;

    /// <summary>int8-static: shift each output channel's bias by the mean error quantization adds, measured on the calibration data.</summary>
    public bool BiasCorrection { get; init; }

    /// <summary>
    /// int8-static: PowerOfTwo rounds every scale the model carries (weights, activations, and so the int32 bias
    /// scale) to a power of two, for fixed-point accelerators (Calibration.PowerOfTwoScale).
    /// </summary>
    public ScaleConstraint ScaleConstraint { get; init; }

    /// <summary>
    /// int8-static: SmoothQuant's migration strength alpha (0 to 1), applied only where the rescaling is exact
    /// (Smoothing.SmoothQuant); null (default) leaves activations as they are.
    /// </summary>
    public double? Smooth { get; init; }

    /// <summary>
    /// int8-static: how weights are rounded onto their grid (Weights.WeightRounding). Auto by default: chosen on held-out calibration
    /// samples (Weights.HeldOutChoice), together with <see cref="Smooth"/> when that is unset.
    /// </summary>
    public Weights.WeightRounding Rounding { get; init; } = Weights.WeightRounding.Auto;

    /// <summary>
    /// Pre-process the model first (Preprocessing.ModelPreprocessor: constant folding, BatchNormalization folding,
    /// Identity/Dropout removal, shape inference). The opset is raised when the mode needs it either way.
    /// </summary>
    public bool Preprocess { get; init; } = true;

    /// <summary>
    /// int8-static: profile the quantized and the float model on this machine and keep float the nodes whose int8
    /// kernel runs slower (Latency.LatencyAwareQuantizer). Off by default because its choices depend on timings, so
    /// its output differs between runs and machines; the search turns it on when int8-static misses min_speedup,
    /// and CB4016 suggests it whenever int8-static comes out slower than float.
    /// </summary>
    public bool LatencyAware { get; init; }

    /// <summary>
    /// int8-static: keep float, from the graph alone, the nodes ONNX Runtime's x86 int8 kernels run slower than float
    /// (Selection.LatencyPlacement: unaligned depthwise and grouped Convs, Convs on few input channels, MaxPool, and
    /// pooling nodes or Muls that read only float tensors). On by default: deterministic, and what makes int8-static not
    /// slower than float on MobileNet-style models; off quantizes every supported node (smallest output).
    /// </summary>
    public bool LatencyPlacement { get; init; } = true;

    /// <summary>Mixed precision: how layers are ranked (Mixed.SensitivityMethod; the one-layer probe by default).</summary>
    public Mixed.SensitivityMethod Sensitivity { get; init; }

    /// <summary>Mixed precision: what is left float (Mixed.MixedPrecisionUnit; whole layers by default).</summary>
    public Mixed.MixedPrecisionUnit MixedUnits { get; init; }

    /// <summary>
    /// int8-static: keep the s8 weights whose kernels can saturate on x86 CPUs without VNNI from it (compress.yaml
    /// <c>reduce_range</c>; the rule is Latency.WeightRange's). Null (default) decides from this CPU (CpuFeatures.U8S8CanSaturate).
    /// </summary>
    public bool? ReduceRange { get; init; }

    /// <summary>Settings of the sessions that calibration runs.</summary>
    public SessionSettings Session { get; init; } = SessionSettings.Default;

    public static IReadOnlyList<string> DefaultFp16BlockList { get; } =
        ["Softmax", "LogSoftmax", "LayerNormalization", "ReduceMean", "ReduceSum", "ReduceSumSquare", "ReduceL2", "ReduceLogSumExp", "Exp", "Log",
            "Pow", "Sqrt", "Reciprocal", "Range", "CumSum", "Resize", "Upsample", "TopK", "NonMaxSuppression", "InstanceNormalization",
            "RandomNormal", "RandomUniform"];

    /// <summary>
    /// Whether the quantized graph is compacted (short generated names, equal constants shared, pre-processing's value_info
    /// dropped). Always on for users; tests turn it off to compare against the long-named graph.
    /// </summary>
    internal bool CompactGraph { get; init; } = true;
}
