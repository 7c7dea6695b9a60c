namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>The quantizer for each op type the int8-static pass knows.</summary>
internal static class OperatorQuantizers
{
    private static readonly Dictionary<string, OperatorQuantizer> ByOpType = new OperatorQuantizer[]
    {
        new ConvQuantizer(), new GemmQuantizer(), new MatMulQuantizer(), new AddQuantizer(), new MulQuantizer(), new ConcatQuantizer(),
        new UnaryQuantizer("AveragePool"), new UnaryQuantizer("LeakyRelu"), new UnaryQuantizer("Sigmoid"), new UnaryQuantizer("Softmax"), new ResizeQuantizer(),
        new GlobalAveragePoolQuantizer(), new MaxPoolQuantizer(), new ShapeOpQuantizer("Flatten"), new ShapeOpQuantizer("Reshape"),
        new ShapeOpQuantizer("Transpose"), new ShapeOpQuantizer("Squeeze"), new ShapeOpQuantizer("Unsqueeze"),
    }.ToDictionary(q => q.OpType, StringComparer.Ordinal);

    public static OperatorQuantizer? For(string opType) => ByOpType.GetValueOrDefault(opType);
}
