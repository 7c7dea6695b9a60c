using CompressBuild.Engine.Choices;
using CompressBuild.Engine.Evaluation;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>The registry of weight roundings (<c>rounding</c>).</summary>
public static class WeightRoundings
{
    public static ChoiceSet<Choice<WeightRounding>> All { get; } = new(
        new(WeightRounding.Nearest, "nearest", "round each weight to the nearest grid point"),
        new(WeightRounding.Auto, "auto", "nearest or gptq (and smoothing), whichever does best on held-out calibration samples (default)"),
        new(WeightRounding.AdaRound, "adaround", "learn up or down per weight on the calibration data (AdaRound)"),
        new(WeightRounding.Gptq, "gptq", "round column by column, compensating each rounding error in the later columns (GPTQ)"));

    public static string NameOf(WeightRounding rounding) => All.Of(rounding).Name;

    /// <summary>
    /// The rounding <paramref name="rounding"/> stands for when <see cref="HeldOutChoice"/> has not resolved auto already (a pass
    /// called directly): GPTQ with calibration samples, nearest without.
    /// </summary>
    public static WeightRounding Resolve(WeightRounding rounding, Dataset? calibration) =>
        rounding != WeightRounding.Auto ? rounding : calibration is { Count: > 0 } ? WeightRounding.Gptq : WeightRounding.Nearest;
}
