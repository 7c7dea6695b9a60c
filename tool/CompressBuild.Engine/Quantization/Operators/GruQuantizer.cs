using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>
/// GRU: listed in int8-dynamic's decisions so that a user sees why it stays float: ONNX Runtime has a dynamic
/// int8 kernel for LSTM (DynamicQuantizeLSTM) but none for GRU, and a DequantizeLinear in front of a float GRU
/// would only shrink the file at the cost of a dequantization per call.
/// </summary>
internal sealed class GruQuantizer : OperatorQuantizer
{
    public const string NoKernel = "ONNX Runtime has no dynamic int8 kernel for GRU (only DynamicQuantizeLSTM)";

    public override string OpType => "GRU";

    public override bool HasForm(OpMode mode) => mode == OpMode.Dynamic;

    public override OpRewrite QuantizeDynamic(GraphEditor editor, QuantizationContext context, NodeProto node) => new(NoKernel, null);

    public override bool AdvisesLeftFloat(OpMode mode) => true;

    /// <summary>initial_h.</summary>
    public override IEnumerable<int> StateInputs => [5];

    /// <summary>Y_h.</summary>
    public override IEnumerable<int> StateOutputs => [1];
}
