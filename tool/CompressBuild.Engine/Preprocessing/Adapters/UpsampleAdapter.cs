using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>
/// Upsample is deprecated at opset 10: it becomes Resize-10, which computes the same (asymmetric coordinates;
/// 'nearest' or 'linear'). Upsample-7 holds its scales in an attribute, Upsample-9 in an input. The Resize 10 to
/// 11 adapter then adds the modes Resize-11 needs to keep that meaning.
/// </summary>
internal sealed class UpsampleAdapter : IOpAdapter
{
    public string OpType => "Upsample";

    public int Version => 10;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context)
    {
        var mode = NodeAttributes.String(node, "mode", "nearest");
        if (mode == "bilinear")
        {
            mode = "linear";
        }

        if (mode is not ("nearest" or "linear"))
        {
            throw context.Refuse(node, $"uses mode '{mode}', which Resize has no equivalent of.");
        }

        if (NodeAttributes.Take(node, "scales") is { } scales)
        {
            NodeAttributes.SetInput(node, 1, context.AddFloats(node.Name + "_scales", scales.Floats));
        }
        else if (node.Input.Count < 2 || node.Input[1].Length == 0)
        {
            throw context.Refuse(node, "has neither a 'scales' attribute nor a scales input.");
        }

        node.OpType = "Resize";
        NodeAttributes.SetString(node, "mode", mode);
        return [node];
    }
}
