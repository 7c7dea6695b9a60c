namespace CompressBuild.Engine.Runtime;

/// <summary>
/// An input or output as ONNX Runtime sees it. For tensors, <see cref="Shape"/> holds -1 where a dimension is
/// symbolic or unknown and <see cref="SymbolicDims"/> the name ("batch"), or "" where there is none.
/// </summary>
public sealed record ValueInfo(string Name, OnnxValueKind Kind, int ElementType, IReadOnlyList<long> Shape, IReadOnlyList<string> SymbolicDims)
{
    public bool IsTensor => Kind == OnnxValueKind.Tensor;
}
