using System.Globalization;
using System.Text.Json.Serialization;
using CompressBuild.Engine.Quantization.Calibration;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>
/// One setting <see cref="HeldOutChoice"/> tried and how close it kept the output on calibration samples it was not quantized
/// on: the worst output's cosine (what the choice ranks by), and for an output that is a distribution per step the share of
/// steps whose most likely class stays the float model's (<see cref="Agreement"/>, reported beside it).
/// </summary>
public sealed record RoundingCandidate([property: JsonIgnore] WeightRounding Rounding, double? Smooth, double Cosine)
{
    /// <summary>The rounding as users write it (reports carry this rather than the enum's number).</summary>
    public string Name => WeightRoundings.NameOf(Rounding);

    /// <summary>Per-step top-1 agreement with the float model when an output is a distribution per step (HeldOutReference); null otherwise.</summary>
    public double? Agreement { get; init; }

    /// <summary>The range method this candidate tried instead of the options' one (<see cref="HeldOutChoice.RangeCandidate"/>); null: the options'.</summary>
    [JsonIgnore]
    public CalibrationMethod? Calibration { get; init; }

    /// <summary>The range method as users write it, when the candidate tried another than the options' (reports carry this).</summary>
    public string? CalibrationMethod => Calibration is { } method ? CalibrationMethods.NameOf(method) : null;

    /// <summary>True for the check with the halves swapped: quantized on the odd-numbered samples, scored on the even-numbered ones.</summary>
    public bool Swapped { get; init; }

    /// <summary>
    /// What the choice ranks by, rounded as reports print it: the cosine. Not the per-step agreement: on the PP-OCRv4 recognizer's
    /// 8 held-out lines it ranked nearest first (0.9594 against gptq + smooth's 0.9500), which lost more characters on unseen lines.
    /// </summary>
    [JsonIgnore]
    public double Score => Math.Round(Cosine, 4);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name}{(Smooth is { } s ? $" + smooth {s:0.##}" : "")}{(CalibrationMethod is { } m ? $" + {m}" : "")}{(Swapped ? " (halves swapped)" : "")} " +
        $"{Cosine:0.0000}{(Agreement is { } a ? $" / steps {a:0.0000}" : "")}");
}
