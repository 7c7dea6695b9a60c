using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>TopK-10 takes k as a one-element int64 input instead of an attribute.</summary>
internal sealed class TopKAdapter : IOpAdapter
{
    public string OpType => "TopK";

    public int Version => 10;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context)
    {
        var k = NodeAttributes.Take(node, "k") ?? throw context.Refuse(node, "has no 'k' attribute, which TopK-1 requires.");
        NodeAttributes.SetInput(node, 1, context.AddInt64s(node.Name + "_k", [k.I]));
        return [node];
    }
}
