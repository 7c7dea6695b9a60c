using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>
/// Rewrites one op so that it means at opset <see cref="Version"/> what it meant before: the version at which
/// ONNX changed the op's signature or semantics. The converter applies it to every node of that type when a model
/// moves from below <see cref="Version"/> to <see cref="Version"/> or above.
/// </summary>
internal interface IOpAdapter
{
    string OpType { get; }

    int Version { get; }

    /// <summary>The nodes that replace <paramref name="node"/> (usually the node itself, edited in place), in order.</summary>
    IReadOnlyList<NodeProto> Adapt(NodeProto node, AdapterContext context);
}
