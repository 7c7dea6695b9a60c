using CompressBuild.Engine.Onnx;

namespace CompressBuild.Engine.Preprocessing;

/// <summary>The converted model (a new one; the input is never changed) and how many nodes of each op type were rewritten.</summary>
public sealed record OpsetConversionResult(OnnxModel Model, long FromOpset, long ToOpset, IReadOnlyDictionary<string, int> AdaptedNodes)
{
    public bool Changed => FromOpset != ToOpset;

    public int AdaptedCount => AdaptedNodes.Values.Sum();
}
