using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>Slice-10 takes starts, ends and axes as int64 inputs instead of attributes (and adds steps, default 1).</summary>
internal sealed class SliceAdapter : IOpAdapter
{
    public string OpType => "Slice";

    public int Version => 10;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context)
    {
        var starts = NodeAttributes.Take(node, "starts") ?? throw context.Refuse(node, "has no 'starts' attribute, which Slice-1 requires.");
        var ends = NodeAttributes.Take(node, "ends") ?? throw context.Refuse(node, "has no 'ends' attribute, which Slice-1 requires.");
        var axes = NodeAttributes.Take(node, "axes");
        NodeAttributes.SetInput(node, 1, context.AddInt64s(node.Name + "_starts", starts.Ints));
        NodeAttributes.SetInput(node, 2, context.AddInt64s(node.Name + "_ends", ends.Ints));
        if (axes is not null)
        {
            NodeAttributes.SetInput(node, 3, context.AddInt64s(node.Name + "_axes", axes.Ints));
        }

        return [node];
    }
}
