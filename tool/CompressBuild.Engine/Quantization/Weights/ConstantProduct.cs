using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Operators;
using CompressBuild.Engine.Quantization.Selection;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>
/// The checks every weight rewrite of a MatMul or Gemm makes before it touches the node (int8-dynamic's
/// DynamicQuantizeMatMul, weight-only MatMulNBits): a form the target can express, a well-formed product, and a
/// 2-D float32 constant B, read once with its Gemm form.
/// </summary>
internal static class ConstantProduct
{
    /// <summary>Why <paramref name="node"/> cannot become <paramref name="target"/>, or null with its B and form.</summary>
    public static string? Read(QuantizationContext context, NodeProto node, string target, out TensorProto b, out GemmForm form)
    {
        b = null!;
        form = null!;
        if (GemmForm.TransARefusal(node, target) is { } transposedA)
        {
            return transposedA;
        }

        if (MalformedNodes.Product(context, node) is { } malformed)
        {
            return malformed;
        }

        if (context.FloatConstant(node.Input[1]) is not { Dims.Count: 2 } weight)
        {
            return context.IsConstant(node.Input[1]) ? "B is not a 2-D float32 constant" : OpRewrite.ActivationProduct;
        }

        b = weight;
        form = GemmForm.Of(node, weight.Dims)!;
        return null;
    }
}
