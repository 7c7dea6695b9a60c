using CompressBuild.Engine.Choices;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>The registry of weight roundings (<c>rounding</c>).</summary>
public static class WeightRoundings
{
    public static ChoiceSet<Choice<WeightRounding>> All { get; } = new(
        new(WeightRounding.Nearest, "nearest", "round each weight to the nearest grid point (default)"),
        new(WeightRounding.AdaRound, "adaround", "learn up or down per weight on the calibration data (AdaRound)"),
        new(WeightRounding.Gptq, "gptq", "round column by column, compensating each rounding error in the later columns (GPTQ)"));

    public static string NameOf(WeightRounding rounding) => All.Of(rounding).Name;
}
