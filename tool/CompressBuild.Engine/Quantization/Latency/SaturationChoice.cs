using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization.Latency;

/// <summary>
/// How int8-static avoids u8 x s8 saturation on an x86 CPU without VNNI (<see cref="CpuFeatures"/>), where ONNX
/// Runtime's kernels add pairs of u8 x s8 products in saturating int16. ORT's two remedies are 7-bit weights
/// (reduce_range) and s8 activations (s8s8, its default QDQ format). Measured on ppocr-cls (rendered inputs, this
/// repository's benchmark data): s8s8 keeps the cosine of u8s8 (0.9989), 7-bit weights drop it to 0.9705, so
/// without VNNI and without an explicit reduce_range the activations become s8. The choice is reported (CB4018).
/// </summary>
public static class SaturationChoice
{
    public static (QuantizationOptions Options, QuantizationAdvisory? Advisory) Choose(QuantizationOptions options, bool canSaturate)
    {
        if (options.Mode != QuantizationMode.Int8Static || options.WeightType != QuantType.S8)
        {
            return (options, null);
        }

        if (options.ReduceRange is true)
        {
            return (options, new QuantizationAdvisory(Diagnostics.DiagnosticCodes.U8S8SaturationRemedy.Id,
                "int8-static weights use 7 bits (-64..64) as asked (reduce_range): u8 x s8 cannot saturate on CPUs without VNNI, at some cost in precision."));
        }

        if (!canSaturate || options.ReduceRange is false || options.ActivationType != QuantType.U8)
        {
            return (options, null);
        }

        return (options with { ActivationType = QuantType.S8 }, new QuantizationAdvisory(Diagnostics.DiagnosticCodes.U8S8SaturationRemedy.Id,
            "this x86 CPU has no VNNI, where ONNX Runtime's u8 x s8 kernels can saturate: activations are quantized as s8 (s8s8) instead of u8. The " +
                "alternative, 7-bit weights (reduce_range: true), cost more precision on the models measured; a model built on a VNNI CPU uses u8 activations."));
    }
}
