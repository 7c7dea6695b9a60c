using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>An op whose change at <see cref="Version"/> has no faithful rewrite: converting across it is refused with the reason.</summary>
internal sealed class RefusedAdapter(string opType, int version, string reason) : IOpAdapter
{
    public string OpType { get; } = opType;

    public int Version { get; } = version;

    public IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context) => throw context.Refuse(node, reason);
}
