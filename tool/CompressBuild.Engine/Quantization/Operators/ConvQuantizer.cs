using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>Conv: weights [M, C/group, kH, kW] per output channel (axis 0), bias [M] in int32; QLinearConv needs the output quantized too.</summary>
internal sealed class ConvQuantizer : OperatorQuantizer
{
    public override string OpType => "Conv";

    public override bool IsWeighted => true;

    public override string? Unsupported(NodeProto node, QuantizationContext context) =>
        node.Input.Count < 2 || context.FloatConstant(node.Input[1]) is null ? "weight is not a float32 constant" : null;

    public override WeightInput? Weight(NodeProto node, QuantizationContext context) =>
        new(1, context.FloatConstant(node.Input[1])!, context.PerChannelAllowed && context.Options.PerChannel ? 0 : -1);

    public override int BiasInput(NodeProto node, QuantizationContext context) =>
        node.Input.Count > 2 && context.FloatConstant(node.Input[2]) is not null ? 2 : -1;

    public override IEnumerable<int> ActivationInputs(NodeProto node, QuantizationContext context) => [0];
}
