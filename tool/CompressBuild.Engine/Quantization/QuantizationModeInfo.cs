using CompressBuild.Engine.Choices;

namespace CompressBuild.Engine.Quantization;

/// <summary>
/// What one quantization mode is: its name (compress.yaml's <c>quantize.mode</c>, the CLI's <c>--mode</c>, the
/// <c>Quantize</c> metadata), what it needs and which of the quantize settings only it reads.
/// </summary>
/// <param name="Mode">The engine's value.</param>
/// <param name="Name">The one spelling users write.</param>
/// <param name="Description">One line, for help texts and the schema.</param>
public sealed record QuantizationModeInfo(QuantizationMode Mode, string Name, string Description) : INamedChoice
{
    public CalibrationUse Calibration { get; init; } = CalibrationUse.Optional;

    /// <summary>The opset a model below it is raised to before quantizing; null when any opset works.</summary>
    public int? Opset { get; init; }

    /// <summary><see cref="Opset"/> is needed only by the Conv form of the mode (models without Conv keep theirs).</summary>
    public bool OpsetForConvOnly { get; init; }

    /// <summary>The quantize settings (compress.yaml keys) that only this mode reads; the others apply to every mode.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];

    /// <summary>Layers can be kept in float one by one (keep_float_top), which the search uses to recover accuracy.</summary>
    public bool KeepsLayersFloat { get; init; }

    /// <summary>The search's last resort when no candidate passes: fallback modes are tried in this order (null: never a fallback).</summary>
    public int? FallbackOrder { get; init; }
}
