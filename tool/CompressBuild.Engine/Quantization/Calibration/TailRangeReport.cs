using System.Globalization;

namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>What <see cref="TailRangeChoice"/> measured: every long-tailed activation tried, and the held-out cosine before and after.</summary>
public sealed record TailRangeReport(IReadOnlyList<TailRangeCandidate> Candidates, double Before, double After, int FitSamples, int CheckSamples)
{
    /// <summary>
    /// True when this process had already chosen for the same model, options and calibration data (the pipeline search's later
    /// steps), so nothing was quantized or scored again for the choice.
    /// </summary>
    public bool Reused { get; init; }

    /// <summary>The activations moved to their observed range.</summary>
    public IEnumerable<string> Moved => Candidates.Where(c => c.Taken).Select(c => c.Tensor);

    /// <summary>One line for reports.</summary>
    public string Summary => (Candidates.Count == 0 ? string.Create(CultureInfo.InvariantCulture,
        $"no long-tailed activation (observed range at least {TailRangeChoice.TailRatio}x the percentile range)")
        : string.Create(CultureInfo.InvariantCulture,
            $"{Candidates.Count(c => c.Taken)} of {Candidates.Count} long-tailed activation(s) moved from the percentile to the observed range (minmax) (output cosine on {CheckSamples} held-out " +
            $"calibration samples {Before:0.0000} -> {After:0.0000}, each quantized on {FitSamples} others: {string.Join("; ", Candidates)})"))
        + (Reused ? ReusedNote : "");

    /// <summary>The same words as the rounding choice's, so a trace reads alike for both.</summary>
    private const string ReusedNote = "; reused: chosen earlier in this run for the same model, options and data";
}
