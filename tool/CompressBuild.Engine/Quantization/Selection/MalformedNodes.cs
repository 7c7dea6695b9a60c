using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Operators;

namespace CompressBuild.Engine.Quantization.Selection;

/// <summary>
/// Nodes a weight rewrite must leave alone because they are not what their op type promises (a hostile or broken
/// model): the reason is reported as an advisory and the node stays float, instead of an index out of range.
/// </summary>
internal static class MalformedNodes
{
    /// <summary>A MatMul/Gemm without two inputs, or with an empty weight (a dimension of 0); null when it is sound.</summary>
    public static string? Product(QuantizationContext context, NodeProto node) =>
        node.Input.Count < 2 || node.Input[0].Length == 0 || node.Input[1].Length == 0 ? "it has fewer than two inputs"
        : context.FloatConstant(node.Input[1]) is { } w && w.Dims.Any(d => d == 0) ? "its weight is empty (a dimension is 0)"
        : null;
}
