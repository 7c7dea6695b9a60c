using CompressBuild.Engine.Choices;

namespace CompressBuild.Engine.Quantization;

/// <summary>The registry of scale constraints (<c>scale_constraint</c>).</summary>
public static class ScaleConstraints
{
    public static ChoiceSet<Choice<ScaleConstraint>> All { get; } = new(
        new(ScaleConstraint.None, "none", "any float scale (default)"),
        new(ScaleConstraint.PowerOfTwo, "pot", "every scale a power of two, for fixed-point accelerators"));

    public static string NameOf(ScaleConstraint constraint) => All.Of(constraint).Name;
}
