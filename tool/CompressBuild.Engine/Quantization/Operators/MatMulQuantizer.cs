using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Dynamic;
using CompressBuild.Engine.Quantization.WeightOnly;

namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>
/// MatMul: a constant 2-D B [K, N] is a weight, per output column (axis 1); a constant B of higher rank gets
/// one scale; a B computed at run time (attention's Q x K^T) is an activation like A. int8-dynamic: a constant
/// 2-D B makes DynamicQuantizeMatMul; weight-only: MatMulNBits.
/// </summary>
internal sealed class MatMulQuantizer : OperatorQuantizer
{
    public override string OpType => "MatMul";

    public override bool IsWeighted => true;

    public override bool AlwaysQuantizeOutput => false;

    public override bool HasForm(OpMode mode) => true;

    public override OpRewrite QuantizeDynamic(GraphEditor editor, QuantizationContext context, NodeProto node) =>
        OpRewrite.Refused(DynamicMatMul.MatMul(editor, context, node), DynamicMatMul.Detail(context.Options));

    public override OpRewrite QuantizeWeightOnly(GraphEditor editor, QuantizationContext context, NodeProto node, WeightOnlySettings settings) =>
        MatMulNBits.Quantize(editor, context, node, settings);

    public override bool AdvisesLeftFloat(OpMode mode) => mode is OpMode.Dynamic or OpMode.WeightOnly;

    public override WeightInput? Weight(NodeProto node, QuantizationContext context)
    {
        if (context.FloatConstant(node.Input[1]) is not { } b)
        {
            return null;
        }

        return new(1, b, b.Dims.Count == 2 && context.PerChannelAllowed && context.Options.PerChannel ? 1 : -1);
    }

    public override IEnumerable<int> ActivationInputs(NodeProto node, QuantizationContext context) =>
        context.IsConstant(node.Input[1]) ? [0] : [0, 1];
}
