using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>MaxPool picks values, it makes none: the output shares the input's parameters and runs directly on u8/s8.</summary>
internal sealed class MaxPoolQuantizer : OperatorQuantizer
{
    public override string OpType => "MaxPool";

    public override bool OutputSharesInputParams => true;

    public override string? Unsupported(NodeProto node, QuantizationContext context) =>
        node.Output.Count > 1 && node.Output[1].Length > 0 ? "the Indices output is used" : null;

    public override IEnumerable<int> ActivationInputs(NodeProto node, QuantizationContext context) => [0];
}
