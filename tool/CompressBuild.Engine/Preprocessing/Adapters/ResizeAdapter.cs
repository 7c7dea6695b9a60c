using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>
/// Resize-11 adds a roi input before scales and coordinate/rounding modes whose defaults (half_pixel,
/// round_prefer_floor) differ from Resize-10's behaviour: set them to Resize-10's asymmetric mapping and
/// floor rounding, as onnx.version_converter does.
/// </summary>
internal sealed class ResizeAdapter : IOpAdapter
{
    public string OpType => "Resize";

    public int Version => 11;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context)
    {
        if (node.Input.Count < 2)
        {
            throw context.Refuse(node, "has no scales input, which Resize-10 requires.");
        }

        var scales = node.Input[1];
        // roi is a required input of Resize-11 (optional from 13); an empty tensor is what exporters write.
        node.Input[1] = context.AddFloats(node.Name + "_roi", []);
        NodeAttributes.SetInput(node, 2, scales);
        NodeAttributes.SetString(node, "coordinate_transformation_mode", "asymmetric");
        if (NodeAttributes.String(node, "mode", "nearest") == "nearest")
        {
            NodeAttributes.SetString(node, "nearest_mode", "floor");
        }

        return [node];
    }
}
