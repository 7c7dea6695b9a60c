using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Dynamic;
using CompressBuild.Engine.Quantization.WeightOnly;

namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>
/// Conv: weights [M, C/group, kH, kW] per output channel (axis 0), bias [M] in int32; QLinearConv needs the output
/// quantized too. int8-dynamic: ConvInteger; weight-only: the weight int8 (int4 at opset 21) behind a
/// DequantizeLinear. Both are smaller but slower than float Conv on CPU (CB4013).
/// </summary>
internal sealed class ConvQuantizer : OperatorQuantizer
{
    public override string OpType => "Conv";

    public override bool IsWeighted => true;

    public override bool HasForm(OpMode mode) => true;

    public override OpRewrite QuantizeDynamic(GraphEditor editor, QuantizationContext context, NodeProto node) =>
        OpRewrite.Refused(ConvInteger.Rewrite(editor, context, node), ConvInteger.Detail(context.Options));

    public override OpRewrite QuantizeWeightOnly(GraphEditor editor, QuantizationContext context, NodeProto node, WeightOnlySettings settings)
    {
        var (reason, detail) = ConvWeightOnly.Rewrite(editor, context, node, settings.Bits, settings.ConvOpset,
            node.Input.Count > 1 ? settings.GptqRanges?.GetValueOrDefault(node.Input[1]) : null);
        return new OpRewrite(reason, detail);
    }

    // Weight-only leaves a Conv float without a word (its weight is not what the mode is for); int8-dynamic says so.
    public override bool AdvisesLeftFloat(OpMode mode) => mode == OpMode.Dynamic;

    public override bool SlowerWhenQuantized(OpMode mode) => mode is OpMode.Dynamic or OpMode.WeightOnly;

    public override string? Unsupported(NodeProto node, QuantizationContext context) =>
        node.Input.Count < 2 || context.FloatConstant(node.Input[1]) is null ? "weight is not a float32 constant" : null;

    public override WeightInput? Weight(NodeProto node, QuantizationContext context) =>
        new(1, context.FloatConstant(node.Input[1])!, context.PerChannelAllowed && context.Options.PerChannel ? 0 : -1);

    public override int BiasInput(NodeProto node, QuantizationContext context) =>
        node.Input.Count > 2 && context.FloatConstant(node.Input[2]) is not null ? 2 : -1;

    public override IEnumerable<int> ActivationInputs(NodeProto node, QuantizationContext context) => [0];
}
