namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>
/// The registry of op classes, one per op type, that every mode driver consults (ONNX Runtime's quantizer keeps
/// one such table per mode; here each class answers for all modes). A new op rule is a class added here.
/// </summary>
internal static class OperatorQuantizers
{
    private static readonly Dictionary<string, OperatorQuantizer> ByOpType = new OperatorQuantizer[]
    {
        new ConvQuantizer(), new GemmQuantizer(), new MatMulQuantizer(), new GatherQuantizer(), new AddQuantizer(), new MulQuantizer(), new ConcatQuantizer(),
        new UnaryQuantizer("AveragePool"), new UnaryQuantizer("LeakyRelu"), new UnaryQuantizer("Sigmoid"), new UnaryQuantizer("Softmax"), new ResizeQuantizer(),
        new GlobalAveragePoolQuantizer(), new MaxPoolQuantizer(), new ShapeOpQuantizer("Flatten"), new ShapeOpQuantizer("Reshape"),
        new ShapeOpQuantizer("Transpose"), new ShapeOpQuantizer("Squeeze"), new ShapeOpQuantizer("Unsqueeze"),
        new LstmQuantizer(), new GruQuantizer(), new RnnQuantizer(),
    }.ToDictionary(q => q.OpType, StringComparer.Ordinal);

    /// <summary>The op's class when int8-static has a QDQ form for it, else null.</summary>
    public static OperatorQuantizer? For(string opType) => For(opType, OpMode.Qdq);

    /// <summary>The op's class when <paramref name="mode"/> quantizes it, else null.</summary>
    public static OperatorQuantizer? For(string opType, OpMode mode) =>
        ByOpType.GetValueOrDefault(opType) is { } quantizer && quantizer.HasForm(mode) ? quantizer : null;

    /// <summary>The op's class whatever its modes (for what it declares beyond them, e.g. a recurrent op's state), else null.</summary>
    public static OperatorQuantizer? Find(string opType) => ByOpType.GetValueOrDefault(opType);

    /// <summary>Every registered op class (for tests and documentation).</summary>
    public static IEnumerable<OperatorQuantizer> All => ByOpType.Values;
}
