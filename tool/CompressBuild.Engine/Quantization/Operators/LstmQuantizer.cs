using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Dynamic;

namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>
/// LSTM: int8-dynamic only, as com.microsoft DynamicQuantizeLSTM (ONNX Runtime's QDQ rules and weight-only kernels
/// have no LSTM form). W and R may be computed from constants inside a subgraph, as PyTorch exports them.
/// </summary>
internal sealed class LstmQuantizer : OperatorQuantizer
{
    public override string OpType => "LSTM";

    public override bool HasForm(OpMode mode) => mode == OpMode.Dynamic;

    public override OpRewrite QuantizeDynamic(GraphEditor editor, QuantizationContext context, NodeProto node) =>
        OpRewrite.Refused(DynamicLstm.Rewrite(editor, context, node), DynamicLstm.Detail(context.Options));

    public override bool AdvisesLeftFloat(OpMode mode) => true;
}
