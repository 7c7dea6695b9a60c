using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>Scatter is deprecated at opset 11 in favour of ScatterElements, which has the same inputs and meaning.</summary>
internal sealed class ScatterAdapter : IOpAdapter
{
    public string OpType => "Scatter";

    public int Version => 11;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context)
    {
        node.OpType = "ScatterElements";
        return [node];
    }
}
