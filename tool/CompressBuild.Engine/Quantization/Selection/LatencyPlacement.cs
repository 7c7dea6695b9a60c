using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Operators;

namespace CompressBuild.Engine.Quantization.Selection;

/// <summary>
/// int8-static's default placement (latency_placement): which nodes stay float because ONNX Runtime's CPU int8
/// kernels are known to run them slower than float, decided from the graph alone so the output bytes are the same on
/// every run and machine. <c>latency_aware</c> is the measured refinement on top.
/// <list type="bullet">
/// <item>Depthwise Convs whose channel count is not a multiple of <see cref="DepthwiseChannelAlignment"/>, and other
/// grouped Convs: MLAS's symmetric int8 depthwise kernel packs channels in groups of 16 on x86 and declines any other
/// count, and the generic int8 kernel it falls back to ran 0.26-0.52x the float NCHWc kernel on ppocr-cls (8-200
/// channels). The aligned ones stay int8 (ppocr-det's 16-384 channels).</item>
/// <item>Convs on at most <see cref="FewInputChannels"/> input channels (the image stem): too few MACs per output
/// for the int8 kernel to pay the QuantizeLinear of its input (0.5x measured).</item>
/// <item>MaxPool: the u8 kernel took 115 µs against 15 µs for float on ppocr-cls.</item>
/// <item>Float regions grow: a pooling node or a Mul (<see cref="GrowingOps"/>) whose activation inputs all come from
/// float nodes stays float, because quantizing it would put a QuantizeLinear on its (larger) inputs for a kernel that
/// is no faster (the SE blocks' broadcasting QLinearMul ran 2-8x slower than float Mul). Add is left out: on
/// ppocr-det, keeping its float-fed affine Adds float lowered the cosine 0.976 -> 0.963.</item>
/// </list>
/// </summary>
internal sealed class LatencyPlacement
{
    /// <summary>A Conv with at most this many input channels stays float (an RGB or grey image stem).</summary>
    public const int FewInputChannels = 4;

    /// <summary>The channel multiple MLAS's symmetric int8 depthwise kernel needs on x86 (MlasConvSymPackWSize's group alignment).</summary>
    public const int DepthwiseChannelAlignment = 16;

    /// <summary>Ops that stay float when every activation they read is float.</summary>
    public static IReadOnlySet<string> GrowingOps { get; } = new HashSet<string>(StringComparer.Ordinal) { "GlobalAveragePool", "GlobalMaxPool", "AveragePool", "Mul" };

    private readonly QuantizationContext context;
    private readonly IReadOnlySet<NodeProto> quantized;

    /// <param name="quantized">The nodes chosen for int8 so far (the caller walks in topological order, so a node's producers are decided first).</param>
    public LatencyPlacement(QuantizationContext context, IReadOnlySet<NodeProto> quantized)
    {
        this.context = context;
        this.quantized = quantized;
    }

    /// <summary>Why the placement keeps <paramref name="node"/> float, or null (also null when latency_placement is off).</summary>
    public string? FloatBecause(NodeProto node)
    {
        if (!context.Options.LatencyPlacement)
        {
            return null;
        }

        if (node.OpType == "MaxPool")
        {
            return "kept float for speed (latency_placement): ONNX Runtime's u8 MaxPool runs slower than its float one on CPU";
        }

        if (node.OpType == "Conv" && node.Input.Count > 1 && context.FloatConstant(node.Input[1]) is { } weight && ConvForm.Of(node, weight.Dims) is { } form)
        {
            if (form.Depthwise && form.Group % DepthwiseChannelAlignment != 0)
            {
                return $"kept float for speed (latency_placement): a depthwise Conv on {form.Group} channels, not a multiple of " +
                    $"{DepthwiseChannelAlignment}, misses ONNX Runtime's fast int8 depthwise kernel and runs slower than float";
            }

            if (form.Group > 1 && !form.Depthwise)
            {
                return $"kept float for speed (latency_placement): a grouped Conv ({form.Group} groups of {form.InputsPerGroup} channels), which ONNX " +
                    "Runtime's int8 CPU kernel runs group by group, slower than float";
            }

            if (form.InputChannels <= FewInputChannels)
            {
                return $"kept float for speed (latency_placement): a Conv on {form.InputChannels} input channel(s) has too few multiply-adds per output " +
                    "for the int8 kernel to pay for quantizing its input";
            }
        }

        return GrowingOps.Contains(node.OpType) && ReadsOnlyFloat(node)
            ? "kept float for speed (latency_placement): every activation it reads is float, so quantizing it would add a QuantizeLinear on its " +
                "input for a kernel no faster than float"
            : null;
    }

    /// <summary>The CB4020 message: how many nodes of each op type the placement kept float, and how to turn it off.</summary>
    public static string Summary(IReadOnlyList<NodeProto> kept)
    {
        var byType = kept.GroupBy(n => n.OpType, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}");
        return $"latency_placement kept {kept.Count} node(s) float that ONNX Runtime's CPU int8 kernels run slower than float ({string.Join(", ", byType)}; " +
            "each node's decision says why); set latency_placement: false (--no-latency-placement) to quantize them anyway (smaller, slower).";
    }

    private bool ReadsOnlyFloat(NodeProto node)
    {
        var activations = node.Input.Where(i => i.Length > 0 && !context.IsConstant(i)).ToList();
        return activations.Count > 0 && activations.All(IsFloat);
    }

    /// <summary>A tensor no quantized node writes (a graph input too); a Relu is looked through, since it folds into its producer's quantization.</summary>
    private bool IsFloat(string value)
    {
        var producer = context.Index.Producer(value);
        while (producer is { OpType: "Relu" } && producer.Input.Count > 0)
        {
            producer = context.Index.Producer(producer.Input[0]);
        }

        return producer is null || !quantized.Contains(producer);
    }
}
