using System.Globalization;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>One setting <see cref="HeldOutChoice"/> tried and its output cosine on the held-out half of the calibration data.</summary>
public sealed record RoundingCandidate(WeightRounding Rounding, double? Smooth, double Cosine)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{WeightRoundings.NameOf(Rounding)}{(Smooth is { } s ? $" + smooth {s:0.##}" : "")} {Cosine:0.0000}");
}
