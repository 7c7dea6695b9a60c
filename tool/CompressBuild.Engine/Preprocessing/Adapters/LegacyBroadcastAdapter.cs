using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>
/// Before opset 7, binary ops broadcast only when <c>broadcast=1</c>, aligning B with A at <c>axis</c>; from 7
/// they broadcast numpy-style, aligning trailing dimensions. The attributes go; when the old alignment was not
/// the trailing one, B gets an Unsqueeze of its missing trailing axes so the numpy rule lines it up the same way.
/// </summary>
internal sealed class LegacyBroadcastAdapter(string opType) : IOpAdapter
{
    public string OpType { get; } = opType;

    public int Version => 7;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context)
    {
        var broadcast = NodeAttributes.Take(node, "broadcast")?.I ?? 0;
        var axis = NodeAttributes.Take(node, "axis");
        if (broadcast == 0 || axis is null || node.Input.Count < 2)
        {
            return [node];
        }

        if (context.Shapes.Rank(node.Input[0]) is not { } rankA || context.Shapes.Rank(node.Input[1]) is not { } rankB)
        {
            throw context.Refuse(node, "broadcasts its second input at an axis, and the ranks needed to express that at opset 7 are unknown.");
        }

        var start = axis.I < 0 ? axis.I + rankA : axis.I;
        var trailing = rankA - start - rankB;
        if (trailing <= 0)
        {
            return [node];
        }

        var aligned = context.UniqueName(node.Input[1] + "_aligned");
        var unsqueeze = context.NewNode("Unsqueeze", [node.Input[1]], [aligned], node.Name + "_align");
        unsqueeze.Attribute.Add(new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints, Ints = { Enumerable.Range(rankB, (int)trailing).Select(i => (long)i) } });
        node.Input[1] = aligned;
        return [unsqueeze, node];
    }
}
