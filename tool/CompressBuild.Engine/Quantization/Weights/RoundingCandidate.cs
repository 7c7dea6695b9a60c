using System.Globalization;
using System.Text.Json.Serialization;
using CompressBuild.Engine.Quantization.Calibration;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>One setting <see cref="HeldOutChoice"/> tried and its output cosine on the held-out half of the calibration data.</summary>
public sealed record RoundingCandidate([property: JsonIgnore] WeightRounding Rounding, double? Smooth, double Cosine)
{
    /// <summary>The rounding as users write it (reports carry this rather than the enum's number).</summary>
    public string Name => WeightRoundings.NameOf(Rounding);

    /// <summary>The range method this candidate tried instead of the options' one (<see cref="HeldOutChoice.RangeCandidate"/>); null: the options'.</summary>
    [JsonIgnore]
    public CalibrationMethod? Calibration { get; init; }

    /// <summary>The range method as users write it, when the candidate tried another than the options' (reports carry this).</summary>
    public string? CalibrationMethod => Calibration is { } method ? CalibrationMethods.NameOf(method) : null;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}{(Smooth is { } s ? $" + smooth {s:0.##}" : "")}{(CalibrationMethod is { } m ? $" + {m}" : "")} {Cosine:0.0000}");
}
