namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>
/// The one table of op adapters, keyed by op type and the opset version at which the op changed (after the list
/// onnx.version_converter registers in convert.h). Every default-domain op not listed here means the same at
/// every opset from 7 to <see cref="MaxTarget"/> for the inputs a model of an older opset can give it (new
/// attributes default to the old behaviour, new types only widen).
/// </summary>
internal static class OpAdapters
{
    /// <summary>The newest opset the table covers.</summary>
    public const int MaxTarget = 21;

    /// <summary>The oldest opset a model may come from (opset 6 still had explicit broadcast attributes, handled at 7).</summary>
    public const int MinSource = 6;

    /// <summary>The lowest target: opset 7, where numpy-style broadcasting arrived.</summary>
    public const int MinTarget = 7;

    public static IReadOnlyList<IOpAdapter> All { get; } =
    [
        .. new[] { "Add", "Sub", "Mul", "Div", "Pow", "And", "Or", "Xor", "Equal", "Greater", "Less" }.Select(op => new LegacyBroadcastAdapter(op)),
        new PReluAdapter(),
        new RemovedAttributesAdapter("Gemm", 7, "broadcast"),
        new RemovedAttributesAdapter("BatchNormalization", 7, "is_test"),
        new RemovedAttributesAdapter("Dropout", 7, "is_test"),
        new RemovedAttributesAdapter("RNN", 7, "output_sequence"),
        new RemovedAttributesAdapter("GRU", 7, "output_sequence"),
        new RemovedAttributesAdapter("LSTM", 7, "output_sequence"),
        new BatchNormalizationSpatialAdapter(),
        new RefusedAdapter("Scan", 9, "is a Scan-8, whose batch axis and sequence_lens input Scan-9 removed; re-export at opset 9 or later."),
        new SliceAdapter(),
        new TopKAdapter(),
        new UpsampleAdapter(),
        new ClipAdapter(),
        new PadAdapter(),
        new ResizeAdapter(),
        new ScatterAdapter(),
        new DropoutAdapter(),
        new SoftmaxAdapter("Softmax"),
        new SoftmaxAdapter("LogSoftmax"),
        new SoftmaxAdapter("Hardmax"),
        new AxesToInputAdapter("Squeeze", 13),
        new AxesToInputAdapter("Unsqueeze", 13),
        new AxesToInputAdapter("ReduceSum", 13),
        new SplitAdapter(),
        new BatchNormalizationOutputsAdapter(),
        new RoiAlignAdapter(),
        new AxesToInputAdapter("ReduceMean", 18),
        new AxesToInputAdapter("ReduceMax", 18),
        new AxesToInputAdapter("ReduceMin", 18),
        new AxesToInputAdapter("ReduceProd", 18),
        new AxesToInputAdapter("ReduceL1", 18),
        new AxesToInputAdapter("ReduceL2", 18),
        new AxesToInputAdapter("ReduceLogSum", 18),
        new AxesToInputAdapter("ReduceLogSumExp", 18),
        new AxesToInputAdapter("ReduceSumSquare", 18),
        new SplitOutputsAdapter(),
        new GridSampleAdapter(),
        new DftAdapter(),
        new RefusedAdapter("GroupNormalization", 21,
            "is a GroupNormalization-18, whose scale and bias are per group; GroupNormalization-21 takes them per channel and the converter does not rewrite them."),
    ];

    /// <summary>Adapters that apply when a model moves from <paramref name="from"/> to <paramref name="to"/>, by version then table order.</summary>
    public static IReadOnlyList<IOpAdapter> Between(int from, int to) =>
        All.Where(a => a.Version > from && a.Version <= to).OrderBy(a => a.Version).ToList();
}
