using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning;

/// <summary>A Conv / ConvTranspose / Gemm / MatMul node whose weight is a float32 initializer.</summary>
public sealed record PrunableLayer(NodeProto Node, TensorProto Weight, ReductionLayout Layout)
{
    public string Name => Node.Name.Length > 0 ? Node.Name : Node.Output[0];

    public long Count => Layout.Rows * (long)Layout.Length;

    /// <summary>The graph whose initializer <see cref="Weight"/> is: the main graph, or an If/Loop/Scan body (or one enclosing the node's body).</summary>
    public GraphProto? Owner { get; init; }

    /// <summary>True when the node sits inside an If/Loop/Scan body, where calibration cannot capture its inputs.</summary>
    public bool InSubgraph { get; init; }
}
