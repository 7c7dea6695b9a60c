namespace CompressBuild.Engine.Quantization.Fusion;

/// <summary>
/// What ONNX Runtime made of a quantized model: per op type, the nodes its optimized graph runs as integer kernels
/// and the nodes it runs in float between a DequantizeLinear and a QuantizeLinear, and the quantized nodes that
/// did not fuse with the reason.
/// </summary>
public sealed record FusionReport(IReadOnlyList<FusionCount> IntegerKernels, IReadOnlyList<FusionCount> FloatBetweenQdq, IReadOnlyList<UnfusedNode> Unfused, int QuantizedConv, int FusedConv)
{
    public int IntegerTotal => IntegerKernels.Sum(c => c.Count);

    public int FloatTotal => FloatBetweenQdq.Sum(c => c.Count);

    /// <summary>The share of quantized Conv nodes that run as QLinearConv (1 when none was quantized).</summary>
    public double ConvFusedShare => QuantizedConv == 0 ? 1 : (double)FusedConv / QuantizedConv;
}
