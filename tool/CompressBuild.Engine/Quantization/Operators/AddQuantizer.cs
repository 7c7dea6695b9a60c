namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>Add (residual joins, constant shifts): both inputs, constants among them, and the output quantized, which ONNX Runtime runs as QLinearAdd.</summary>
internal sealed class AddQuantizer : OperatorQuantizer
{
    public override string OpType => "Add";

    public override bool QuantizesConstantInputs => true;
}
