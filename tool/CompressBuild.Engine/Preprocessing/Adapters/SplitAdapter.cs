using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>Split-13 takes the part sizes as an optional int64 input instead of the 'split' attribute.</summary>
internal sealed class SplitAdapter : IOpAdapter
{
    public string OpType => "Split";

    public int Version => 13;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context)
    {
        if (NodeAttributes.Take(node, "split") is { } split)
        {
            NodeAttributes.SetInput(node, 1, context.AddInt64s(node.Name + "_split", split.Ints));
        }

        return [node];
    }
}
