namespace CompressBuild.Engine.Pipeline.Search;

/// <summary>
/// What evaluating one candidate gave: whether every budget held, which missed (accuracy-type misses are the
/// ones keeping layers in float or pruning less can fix), its size, and how many layers quantization touched.
/// </summary>
/// <param name="Misses">One line per missed budget, as printed.</param>
/// <param name="Details">The full verification result, for reports.</param>
public sealed record TrialOutcome(bool Passed, bool AccuracyMissed, IReadOnlyList<string> Misses, long SizeBytes, int QuantizedLayers, object? Details = null)
{
    /// <summary>Why the trial was not verified (its candidate changes nothing, or repeats an earlier one); null for a trial that ran.</summary>
    public string? SkippedBecause { get; init; }

    public static TrialOutcome Skipped(string reason, long sizeBytes) => new(false, false, [], sizeBytes, 0) { SkippedBecause = reason };
}
