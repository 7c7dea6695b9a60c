using CompressBuild.Engine.Choices;

namespace CompressBuild.Engine.Quantization.Mixed;

/// <summary>The registry of mixed-precision units (<c>mixed_units</c>, <c>--mixed-units</c>): names spelled once.</summary>
public static class MixedPrecisionUnits
{
    public static ChoiceSet<Choice<MixedPrecisionUnit>> All { get; } = new(
        new(MixedPrecisionUnit.Layers, "layers", "leave the most sensitive whole layers float (default)"),
        new(MixedPrecisionUnit.Activations, "activations",
            "int8-static: leave the most harmful activation Q/DQ pairs float while every weight stays int8, as long as the model stays at least as fast as fp32; then layers"));

    public static string NameOf(MixedPrecisionUnit unit) => All.Of(unit).Name;
}
