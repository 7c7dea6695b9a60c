namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>Concat: every input and the output quantized (QLinearConcat).</summary>
internal sealed class ConcatQuantizer : OperatorQuantizer
{
    public override string OpType => "Concat";
}
