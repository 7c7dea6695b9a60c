using CompressBuild.Engine.Choices;

namespace CompressBuild.Engine.Quantization.Mixed;

/// <summary>The registry of sensitivity rankings (<c>sensitivity</c>, <c>--sensitivity</c>): names spelled once.</summary>
public static class SensitivityMethods
{
    public static ChoiceSet<Choice<SensitivityMethod>> All { get; } = new(
        new(SensitivityMethod.Probe, "probe", "quantize one layer at a time and measure the output cosine (default)"),
        new(SensitivityMethod.Hessian, "hessian", "HAWQ-V3: Hessian trace from the layer's input Gram matrix times the weight quantization error; no trial runs"),
        new(SensitivityMethod.HessianNoise, "hessian-noise",
            "the layer's output noise over its signal, trace(dW G dW^T) / trace(W G W^T) from the same Gram matrices; agrees better with the measured loss for int4-weight"));

    public static string NameOf(SensitivityMethod method) => All.Of(method).Name;
}
