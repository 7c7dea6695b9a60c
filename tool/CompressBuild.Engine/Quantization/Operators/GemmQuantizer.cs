using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Dynamic;
using CompressBuild.Engine.Quantization.WeightOnly;

namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>
/// Gemm: B per output column (axis 0 when transB=1, else axis 1). C becomes an int32 bias only when it is a
/// constant vector of N and alpha = beta = 1, the form ONNX Runtime folds into QGemm; otherwise C stays float.
/// int8-dynamic: DynamicQuantizeMatMul; weight-only: MatMulNBits (both refuse transA = 1).
/// </summary>
internal sealed class GemmQuantizer : OperatorQuantizer
{
    public override string OpType => "Gemm";

    public override bool IsWeighted => true;

    public override bool AlwaysQuantizeOutput => false;

    public override bool HasForm(OpMode mode) => true;

    public override OpRewrite QuantizeDynamic(GraphEditor editor, QuantizationContext context, NodeProto node) =>
        OpRewrite.Refused(DynamicMatMul.Gemm(editor, context, node), DynamicMatMul.Detail(context.Options));

    public override OpRewrite QuantizeWeightOnly(GraphEditor editor, QuantizationContext context, NodeProto node, WeightOnlySettings settings) =>
        MatMulNBits.Quantize(editor, context, node, settings);

    public override bool AdvisesLeftFloat(OpMode mode) => mode is OpMode.Dynamic or OpMode.WeightOnly;

    public override string? Unsupported(NodeProto node, QuantizationContext context) =>
        node.Input.Count < 2 || context.FloatConstant(node.Input[1]) is not { Dims.Count: 2 } ? "B is not a 2-D float32 constant" : null;

    public override WeightInput? Weight(NodeProto node, QuantizationContext context)
    {
        var b = context.FloatConstant(node.Input[1])!;
        return new(1, b, context.PerChannelAllowed && context.Options.PerChannel ? GemmForm.Of(node, b.Dims)!.OutputAxis : -1);
    }

    public override int BiasInput(NodeProto node, QuantizationContext context)
    {
        if (node.Input.Count < 3 || context.FloatConstant(node.Input[2]) is not { } c || c.Dims.Count != 1)
        {
            return -1;
        }

        var gemm = GemmForm.Of(node, Weight(node, context)!.Tensor.Dims)!;
        return gemm.UnitScales && c.Dims[0] == gemm.N ? 2 : -1;
    }

    public override IEnumerable<int> ActivationInputs(NodeProto node, QuantizationContext context) => [0];
}
