using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning;

/// <summary>A Conv / ConvTranspose / Gemm / MatMul node whose weight is a float32 initializer.</summary>
public sealed record PrunableLayer(NodeProto Node, TensorProto Weight, ReductionLayout Layout)
{
    public string Name => Node.Name.Length > 0 ? Node.Name : Node.Output[0];

    public long Count => Layout.Rows * (long)Layout.Length;
}
