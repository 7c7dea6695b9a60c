using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>GlobalAveragePool: averaging changes the range, so the output has its own parameters (QLinearGlobalAveragePool).</summary>
internal sealed class GlobalAveragePoolQuantizer : OperatorQuantizer
{
    public override string OpType => "GlobalAveragePool";

    public override IEnumerable<int> ActivationInputs(NodeProto node, QuantizationContext context) => [0];
}
