using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>Clip-11 takes min and max as optional inputs of the data's type instead of float attributes.</summary>
internal sealed class ClipAdapter : IOpAdapter
{
    public string OpType => "Clip";

    public int Version => 11;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context)
    {
        var type = context.Shapes.ElementType(node.Input[0]);
        if (NodeAttributes.Take(node, "min") is { } min)
        {
            NodeAttributes.SetInput(node, 1, context.AddScalar(node.Name + "_min", min.F, type));
        }

        if (NodeAttributes.Take(node, "max") is { } max)
        {
            NodeAttributes.SetInput(node, 2, context.AddScalar(node.Name + "_max", max.F, type));
        }

        return [node];
    }
}
