using System.Globalization;
using System.Text.Json.Serialization;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>One setting <see cref="HeldOutChoice"/> tried and its output cosine on the held-out half of the calibration data.</summary>
public sealed record RoundingCandidate([property: JsonIgnore] WeightRounding Rounding, double? Smooth, double Cosine)
{
    /// <summary>The rounding as users write it (reports carry this rather than the enum's number).</summary>
    public string Name => WeightRoundings.NameOf(Rounding);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}{(Smooth is { } s ? $" + smooth {s:0.##}" : "")} {Cosine:0.0000}");
}
