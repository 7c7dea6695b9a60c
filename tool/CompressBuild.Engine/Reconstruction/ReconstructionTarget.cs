using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>A layer to reconstruct: its node, its float32 weight, its geometry, and whether its Gram matrix carries the bias column.</summary>
public sealed record ReconstructionTarget(NodeProto Node, TensorProto Weight, LayerGeometry Geometry, bool WithBias)
{
    public string Name => Node.Name.Length > 0 ? Node.Name : Node.Output[0];
}
