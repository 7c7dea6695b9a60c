using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>
/// Attributes ONNX removed at <see cref="Version"/> that only ever described what inference does anyway
/// (is_test, Gemm's broadcast: C always broadcasts from 7, RNN's output_sequence: the optional Y output decides).
/// </summary>
internal sealed class RemovedAttributesAdapter(string opType, int version, params string[] attributes) : IOpAdapter
{
    public string OpType { get; } = opType;

    public int Version { get; } = version;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context)
    {
        foreach (var attribute in attributes)
        {
            NodeAttributes.Take(node, attribute);
        }

        return [node];
    }
}
