using CompressBuild.Engine.Choices;

namespace CompressBuild.Engine.Quantization;

/// <summary>The registry of 8-bit integer types (<c>activation_type</c>, <c>weight_type</c>).</summary>
public static class QuantTypes
{
    public static ChoiceSet<Choice<QuantType>> All { get; } = new(
        new(QuantType.U8, "u8", "unsigned 8-bit"),
        new(QuantType.S8, "s8", "signed 8-bit"));
}
