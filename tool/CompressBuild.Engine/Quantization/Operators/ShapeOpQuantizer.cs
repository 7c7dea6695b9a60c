using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>
/// Ops that only move values (Flatten, Reshape, Transpose, Squeeze, Unsqueeze): the output shares the
/// input's parameters, so ONNX Runtime drops the Q/DQ pair around them. Only the data input is quantized.
/// </summary>
internal sealed class ShapeOpQuantizer(string opType) : OperatorQuantizer
{
    public override string OpType => opType;

    public override bool OutputSharesInputParams => true;

    public override IEnumerable<int> ActivationInputs(NodeProto node, QuantizationContext context) => [0];
}
