using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Dynamic;
using CompressBuild.Engine.Quantization.WeightOnly;

namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>
/// LSTM: int8-dynamic as com.microsoft DynamicQuantizeLSTM; weight-only as int8 W and R behind DequantizeLinear
/// (ONNX Runtime's QDQ rules have no LSTM form). W and R may be computed from constants inside a subgraph, as
/// PyTorch exports them.
/// </summary>
internal sealed class LstmQuantizer : OperatorQuantizer
{
    public override string OpType => "LSTM";

    public override bool HasForm(OpMode mode) => mode is OpMode.Dynamic or OpMode.WeightOnly;

    public override OpRewrite QuantizeDynamic(GraphEditor editor, QuantizationContext context, NodeProto node) =>
        OpRewrite.Refused(DynamicLstm.Rewrite(editor, context, node), DynamicLstm.Detail(context.Options));

    public override OpRewrite QuantizeWeightOnly(GraphEditor editor, QuantizationContext context, NodeProto node, WeightOnlySettings settings) =>
        LstmWeightOnly.Rewrite(editor, context, node, settings);

    public override bool AdvisesLeftFloat(OpMode mode) => true;

    /// <summary>initial_h, initial_c.</summary>
    public override IEnumerable<int> StateInputs => [5, 6];

    /// <summary>Y_h, Y_c.</summary>
    public override IEnumerable<int> StateOutputs => [1, 2];
}
