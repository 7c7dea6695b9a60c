using System.Globalization;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>What <c>rounding: auto</c> measured: every candidate's held-out cosine and the one chosen.</summary>
public sealed record RoundingChoice(RoundingCandidate Chosen, IReadOnlyList<RoundingCandidate> Candidates, int FitSamples, int CheckSamples)
{
    /// <summary>One line for reports: the chosen setting, then every candidate's score.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"auto chose {WeightRoundings.NameOf(Chosen.Rounding)}{(Chosen.Smooth is { } s ? $" with smooth {s:0.##}" : "")} (output cosine on {CheckSamples} held-out " +
        $"calibration samples, each candidate quantized on {FitSamples} others: {string.Join(", ", Candidates)})");
}
