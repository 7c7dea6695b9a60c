namespace CompressBuild.Engine.Preprocessing;

/// <summary>
/// Which transformations <see cref="ModelPreprocessor"/> runs (all by default, as ONNX Runtime's
/// quant_pre_process does) and the opset to raise the model to first (none: keep the model's).
/// </summary>
public sealed record PreprocessOptions
{
    public static PreprocessOptions Default { get; } = new();

    /// <summary>Only the opset conversion (for --no-preprocess): the model is otherwise left as it is.</summary>
    public static PreprocessOptions ConversionOnly { get; } = new()
    {
        PromoteConstants = false, RemoveIdentities = false, FoldConstants = false, FoldBatchNormalization = false, RemoveUnusedInitializers = false, InferShapes = false,
    };

    public int? TargetOpset { get; init; }

    public bool PromoteConstants { get; init; } = true;

    public bool RemoveIdentities { get; init; } = true;

    public bool FoldConstants { get; init; } = true;

    public bool FoldBatchNormalization { get; init; } = true;

    public bool RemoveUnusedInitializers { get; init; } = true;

    public bool InferShapes { get; init; } = true;

    /// <summary>Folded constants larger than this stay computed at run time (Expand/Tile/ConstantOfShape would bloat the file).</summary>
    public long MaxFoldedBytes { get; init; } = 16L << 20;
}
