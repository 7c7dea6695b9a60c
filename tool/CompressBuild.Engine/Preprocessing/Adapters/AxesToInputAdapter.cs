using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>
/// Squeeze, Unsqueeze and ReduceSum (at 13) and the other reductions (at 18) take their axes as an int64 input
/// instead of an attribute. With no axes the old and new definitions mean the same (squeeze every 1, reduce all).
/// </summary>
internal sealed class AxesToInputAdapter(string opType, int version) : IOpAdapter
{
    public string OpType { get; } = opType;

    public int Version { get; } = version;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context)
    {
        if (NodeAttributes.Take(node, "axes") is { } axes)
        {
            NodeAttributes.SetInput(node, 1, context.AddInt64s(node.Name + "_axes", axes.Ints));
        }

        return [node];
    }
}
