using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>GridSample-20 renames its modes: bilinear becomes linear, bicubic becomes cubic.</summary>
internal sealed class GridSampleAdapter : IOpAdapter
{
    public string OpType => "GridSample";

    public int Version => 20;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context)
    {
        var mode = NodeAttributes.String(node, "mode", "bilinear");
        NodeAttributes.SetString(node, "mode", mode switch { "bilinear" => "linear", "bicubic" => "cubic", _ => mode });
        return [node];
    }
}
