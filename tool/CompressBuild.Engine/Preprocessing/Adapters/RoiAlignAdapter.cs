using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>RoiAlign-16 adds coordinate_transformation_mode with default half_pixel; RoiAlign-10 behaved as output_half_pixel.</summary>
internal sealed class RoiAlignAdapter : IOpAdapter
{
    public string OpType => "RoiAlign";

    public int Version => 16;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context)
    {
        NodeAttributes.SetString(node, "coordinate_transformation_mode", "output_half_pixel");
        return [node];
    }
}
