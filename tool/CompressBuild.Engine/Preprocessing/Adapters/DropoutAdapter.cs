using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>
/// Dropout-12 takes the ratio as an optional input instead of an attribute. Its mask output became bool at
/// opset 10 (it had the data's type): a model that reads the mask of an older Dropout cannot keep its meaning.
/// </summary>
internal sealed class DropoutAdapter : IOpAdapter
{
    public string OpType => "Dropout";

    public int Version => 12;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context)
    {
        if (context.FromOpset < 10 && node.Output.Count > 1 && context.IsUsed(node.Output[1]))
        {
            throw context.Refuse(node, "has its mask output read by other nodes; the mask's type changed to bool at opset 10.");
        }

        if (node.Output.Count > 1 && !context.IsUsed(node.Output[1]))
        {
            // An unread mask only invites a stale declared type; inference never computes it.
            node.Output.RemoveAt(1);
        }

        NodeAttributes.Take(node, "is_test");
        if (NodeAttributes.Take(node, "ratio") is { } ratio)
        {
            NodeAttributes.SetInput(node, 1, context.AddScalar(node.Name + "_ratio", ratio.F, (int)TensorProto.Types.DataType.Float));
        }

        return [node];
    }
}
