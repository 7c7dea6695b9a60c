using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>Split-18 needs either the split input or a num_outputs attribute; an equal split gets num_outputs.</summary>
internal sealed class SplitOutputsAdapter : IOpAdapter
{
    public string OpType => "Split";

    public int Version => 18;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context)
    {
        if (node.Input.Count < 2 || node.Input[1].Length == 0)
        {
            NodeAttributes.SetInt(node, "num_outputs", node.Output.Count);
        }

        return [node];
    }
}
