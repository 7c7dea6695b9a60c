namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>
/// RNN (the plain recurrent op): no mode quantizes it (ONNX Runtime has neither a QDQ nor a dynamic int8 kernel for it); registered
/// for its recurrent state, which int8-static keeps float (<see cref="Qdq.RecurrentState"/>).
/// </summary>
internal sealed class RnnQuantizer : OperatorQuantizer
{
    public override string OpType => "RNN";

    public override bool HasForm(OpMode mode) => false;

    /// <summary>initial_h.</summary>
    public override IEnumerable<int> StateInputs => [5];

    /// <summary>Y_h.</summary>
    public override IEnumerable<int> StateOutputs => [1];
}
