using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Weights;

namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>
/// Gather over a constant 2-D table (an embedding): int8-dynamic and weight-only store the table as int8 and
/// dequantize the rows picked. int8-static has no QDQ form for it; a Gather that is not an embedding lookup stays
/// float without an advisory.
/// </summary>
internal sealed class GatherQuantizer : OperatorQuantizer
{
    public override string OpType => "Gather";

    public override bool HasForm(OpMode mode) => mode is OpMode.Dynamic or OpMode.WeightOnly;

    public override OpRewrite QuantizeDynamic(GraphEditor editor, QuantizationContext context, NodeProto node) =>
        OpRewrite.Refused(GatherTable.Rewrite(editor, context, node), GatherTable.Detail);

    public override OpRewrite QuantizeWeightOnly(GraphEditor editor, QuantizationContext context, NodeProto node, WeightOnlySettings settings) =>
        OpRewrite.Refused(GatherTable.Rewrite(editor, context, node), GatherTable.Detail);
}
