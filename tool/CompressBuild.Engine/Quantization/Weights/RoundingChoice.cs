using System.Globalization;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>What <c>rounding: auto</c> measured: every candidate's held-out scores and the one chosen.</summary>
public sealed record RoundingChoice(RoundingCandidate Chosen, IReadOnlyList<RoundingCandidate> Candidates, int FitSamples, int CheckSamples)
{
    /// <summary>
    /// True when this process had already chosen for the same model, options and calibration data (RoundingChoiceCache: the
    /// pipeline search's later steps), so nothing was quantized or scored again for the choice.
    /// </summary>
    public bool Reused { get; init; }

    /// <summary>One line for reports: the chosen setting, then every candidate's score.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"auto chose {WeightRoundings.NameOf(Chosen.Rounding)}{(Chosen.Smooth is { } s ? $" with smooth {s:0.##}" : "")}" +
        $"{(Chosen.CalibrationMethod is { } m ? $" and {m} ranges" : "")} (output cosine{(Chosen.Agreement is null ? "" : " / per-step top-1 agreement")} on " +
        $"{CheckSamples} held-out calibration samples, each candidate quantized on {FitSamples} others: {string.Join(", ", Candidates)}){(Reused ? ReusedNote : "")}");

    private const string ReusedNote = "; reused: chosen earlier in this run for the same model, options and data";
}
