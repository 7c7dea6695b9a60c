using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>
/// PRelu-6 applies a 1-D slope per channel (axis 1); PRelu-7 broadcasts the slope numpy-style from the trailing
/// axis. A per-channel slope gets an Unsqueeze to [C,1,...,1] so it still lines up with the channels.
/// </summary>
internal sealed class PReluAdapter : IOpAdapter
{
    public string OpType => "PRelu";

    public int Version => 7;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context)
    {
        var slope = context.Shapes.Get(node.Input[1]);
        if (slope?.Dims is { Count: 1 } dims && dims[0] == 1)
        {
            return [node];
        }

        if (slope?.Rank is not 1 || context.Shapes.Rank(node.Input[0]) is not { } rank)
        {
            throw context.Refuse(node, "has a slope whose per-channel alignment cannot be told (unknown ranks), and PRelu-7 aligns the slope with the last axis instead.");
        }

        if (rank <= 2)
        {
            return [node];
        }

        var aligned = context.UniqueName(node.Input[1] + "_per_channel");
        var unsqueeze = context.NewNode("Unsqueeze", [node.Input[1]], [aligned], node.Name + "_align");
        unsqueeze.Attribute.Add(new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints, Ints = { Enumerable.Range(1, rank - 2).Select(i => (long)i) } });
        node.Input[1] = aligned;
        return [unsqueeze, node];
    }
}
