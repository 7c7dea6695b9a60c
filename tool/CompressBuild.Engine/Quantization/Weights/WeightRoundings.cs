using CompressBuild.Engine.Choices;
using CompressBuild.Engine.Evaluation;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>The registry of weight roundings (<c>rounding</c>).</summary>
public static class WeightRoundings
{
    public static ChoiceSet<Choice<WeightRounding>> All { get; } = new(
        new(WeightRounding.Nearest, "nearest", "round each weight to the nearest grid point (default)"),
        new(WeightRounding.Auto, "auto", "gptq when calibration data is given, nearest otherwise"),
        new(WeightRounding.AdaRound, "adaround", "learn up or down per weight on the calibration data (AdaRound)"),
        new(WeightRounding.Gptq, "gptq", "round column by column, compensating each rounding error in the later columns (GPTQ)"));

    public static string NameOf(WeightRounding rounding) => All.Of(rounding).Name;

    /// <summary>
    /// The rounding <paramref name="rounding"/> stands for on this data: auto is GPTQ with calibration samples, nearest without. Not the
    /// default: GPTQ lifts the PP-OCRv4 detector and recognizer but lowers the classifier (README, "GPTQ as a default").
    /// </summary>
    public static WeightRounding Resolve(WeightRounding rounding, Dataset? calibration) =>
        rounding != WeightRounding.Auto ? rounding : calibration is { Count: > 0 } ? WeightRounding.Gptq : WeightRounding.Nearest;
}
