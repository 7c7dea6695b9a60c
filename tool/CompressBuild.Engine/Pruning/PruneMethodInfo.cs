using CompressBuild.Engine.Choices;

namespace CompressBuild.Engine.Pruning;

/// <summary>
/// What one pruning method is: its name (compress.yaml's <c>prune.method</c>, the CLI's <c>--method</c>, the
/// <c>Prune</c> metadata), whether it reads calibration data, and which prune settings only it reads.
/// </summary>
public sealed record PruneMethodInfo(PruneMethod Method, string Name, string Description) : INamedChoice
{
    /// <summary>The prune settings (compress.yaml keys) only this method reads; the others apply to every method.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];

    /// <summary>Calibration data has a use (reconstruction, activation importance); false: giving it is an error.</summary>
    public bool ReadsCalibration { get; init; }

    /// <summary>
    /// Calibration data shared with a quantize pass (the MSBuild item's CalibrationData) reaches this method too:
    /// true where it decides what is removed and what remains (channel: activation importance, mean folding);
    /// false where it would only turn on reconstruction, which stays an explicit choice.
    /// </summary>
    public bool SharesCalibration { get; init; }

    /// <summary>The method takes a sparsity; false when its own setting fixes it (N:M's pattern).</summary>
    public bool TakesSparsity { get; init; } = true;

    /// <summary>Tensors become physically smaller, so the model runs faster (otherwise only its compressed size shrinks).</summary>
    public bool Shrinks { get; init; }
}
