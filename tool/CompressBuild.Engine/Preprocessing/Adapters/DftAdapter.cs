using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>DFT-20 takes the axis as an optional int64 scalar input (default -2) instead of an attribute (default 1).</summary>
internal sealed class DftAdapter : IOpAdapter
{
    public string OpType => "DFT";

    public int Version => 20;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context)
    {
        var axis = NodeAttributes.Take(node, "axis")?.I ?? 1;
        NodeAttributes.SetInput(node, 2, context.AddInt64s(node.Name + "_axis", [axis], scalar: true));
        return [node];
    }
}
