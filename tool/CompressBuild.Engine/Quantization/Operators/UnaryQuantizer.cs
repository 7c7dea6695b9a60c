using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>
/// Ops that ONNX Runtime runs on u8/s8 with their own output parameters when a DequantizeLinear feeds them and a
/// QuantizeLinear reads them (its "unary" QDQ rule): AveragePool, LeakyRelu, Sigmoid and Softmax become
/// QLinearAveragePool, QLinearLeakyRelu, QLinearSigmoid and QLinearSoftmax (com.microsoft).
/// </summary>
internal sealed class UnaryQuantizer(string opType) : OperatorQuantizer
{
    public override string OpType => opType;

    public override IEnumerable<int> ActivationInputs(NodeProto node, QuantizationContext context) => [0];
}
