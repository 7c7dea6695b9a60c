namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>Add (residual joins): both inputs and the output quantized, which ONNX Runtime runs as QLinearAdd.</summary>
internal sealed class AddQuantizer : OperatorQuantizer
{
    public override string OpType => "Add";
}
