using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>
/// MatMul: a constant 2-D B [K, N] is a weight, per output column (axis 1); a constant B of higher rank gets
/// one scale; a B computed at run time (attention's Q x K^T) is an activation like A.
/// </summary>
internal sealed class MatMulQuantizer : OperatorQuantizer
{
    public override string OpType => "MatMul";

    public override bool IsWeighted => true;

    public override bool AlwaysQuantizeOutput => false;

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
