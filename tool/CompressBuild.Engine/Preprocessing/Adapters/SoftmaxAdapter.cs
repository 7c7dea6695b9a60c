using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>
/// Before opset 13, Softmax, LogSoftmax and Hardmax coerce the input to 2-D at <c>axis</c> (default 1) and
/// normalize over everything from <c>axis</c> on; from 13 they normalize over the one axis (default -1). When
/// the axis is the last one (rank known from shape inference) the two agree and only the attribute is written.
/// Otherwise the old meaning is rebuilt exactly, for any rank: Flatten at the axis, the op over the last axis,
/// then Reshape back to the input's runtime shape.
/// </summary>
internal sealed class SoftmaxAdapter(string opType) : IOpAdapter
{
    public string OpType { get; } = opType;

    public int Version => 13;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context)
    {
        var input = node.Input[0];
        var axis = NodeAttributes.Int(node, "axis", 1);
        var rank = context.Shapes.Rank(input);
        if (rank is { } r && (axis == r - 1 || axis == -1))
        {
            NodeAttributes.SetInt(node, "axis", -1);
            return [node];
        }

        var output = node.Output[0];
        var flat = context.UniqueName(node.Name + "_2d");
        var flatten = context.NewNode("Flatten", [input], [flat], node.Name + "_flatten");
        NodeAttributes.SetInt(flatten, "axis", axis);
        var normalized = context.UniqueName(node.Name + "_normalized");
        node.Input[0] = flat;
        node.Output[0] = normalized;
        NodeAttributes.SetInt(node, "axis", -1);
        var shape = context.UniqueName(node.Name + "_shape");
        var shapeOf = context.NewNode("Shape", [input], [shape], node.Name + "_shape");
        var reshape = context.NewNode("Reshape", [normalized, shape], [output], node.Name + "_reshape");
        return [flatten, node, shapeOf, reshape];
    }
}
