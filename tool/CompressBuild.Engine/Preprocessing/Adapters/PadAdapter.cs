using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>Pad-11 takes pads (int64) and the constant value (the data's type) as inputs instead of attributes.</summary>
internal sealed class PadAdapter : IOpAdapter
{
    public string OpType => "Pad";

    public int Version => 11;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context)
    {
        var pads = NodeAttributes.Take(node, "pads") ?? throw context.Refuse(node, "has no 'pads' attribute, which Pad-2 requires.");
        var value = NodeAttributes.Take(node, "value");
        NodeAttributes.SetInput(node, 1, context.AddInt64s(node.Name + "_pads", pads.Ints));
        if (value is not null && value.F != 0 && NodeAttributes.String(node, "mode", "constant") == "constant")
        {
            NodeAttributes.SetInput(node, 2, context.AddScalar(node.Name + "_value", value.F, context.Shapes.ElementType(node.Input[0])));
        }

        return [node];
    }
}
