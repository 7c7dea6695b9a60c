namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>Mul (squeeze-excitation gates, scalings): both inputs, constants among them, and the output quantized, which ONNX Runtime runs as QLinearMul.</summary>
internal sealed class MulQuantizer : OperatorQuantizer
{
    public override string OpType => "Mul";

    public override bool QuantizesConstantInputs => true;
}
