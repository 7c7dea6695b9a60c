using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>
/// BatchNormalization-14 has the running mean/variance outputs only in training mode, and no saved mean/variance
/// outputs at all. Inference never computes them, so unread ones are dropped; a model that reads them is refused.
/// </summary>
internal sealed class BatchNormalizationOutputsAdapter : IOpAdapter
{
    public string OpType => "BatchNormalization";

    public int Version => 14;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context)
    {
        if (node.Output.Skip(1).FirstOrDefault(context.IsUsed) is { } read)
        {
            throw context.Refuse(node, $"has its training output '{read}' read by the model; BatchNormalization-14 produces it only in training mode.");
        }

        while (node.Output.Count > 1)
        {
            node.Output.RemoveAt(node.Output.Count - 1);
        }

        return [node];
    }
}
