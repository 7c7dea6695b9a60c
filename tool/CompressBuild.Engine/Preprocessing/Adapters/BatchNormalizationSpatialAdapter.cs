using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>
/// BatchNormalization-9 drops the 'spatial' attribute and always normalizes per channel (spatial=1, the default
/// before). A node with spatial=0 (per-element statistics) has no opset-9 form with the same inputs.
/// </summary>
internal sealed class BatchNormalizationSpatialAdapter : IOpAdapter
{
    public string OpType => "BatchNormalization";

    public int Version => 9;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context)
    {
        if (NodeAttributes.Take(node, "spatial") is { I: 0 })
        {
            throw context.Refuse(node, "has spatial=0 (statistics per element, not per channel), which BatchNormalization-9 and later cannot express; re-export with spatial=1.");
        }

        NodeAttributes.Take(node, "is_test");
        return [node];
    }
}
