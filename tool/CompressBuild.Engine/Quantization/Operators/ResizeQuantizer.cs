using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>
/// Resize interpolates between input values, so the output stays inside the input's range: it shares the input's
/// parameters and ONNX Runtime drops the Q/DQ pair, resizing u8 directly. Only the data input is quantized (roi,
/// scales and sizes are constants or shapes).
/// </summary>
internal sealed class ResizeQuantizer : OperatorQuantizer
{
    public override string OpType => "Resize";

    public override bool OutputSharesInputParams => true;

    public override string? Unsupported(NodeProto node, QuantizationContext context) =>
        NodeAttributes.String(node, "mode", "nearest") == "cubic" ? "cubic interpolation can leave the input's range" : null;

    public override IEnumerable<int> ActivationInputs(NodeProto node, QuantizationContext context) => [0];
}
