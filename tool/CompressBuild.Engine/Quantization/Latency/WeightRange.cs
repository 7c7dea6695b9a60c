namespace CompressBuild.Engine.Quantization.Latency;

/// <summary>Whether int8-static stores its s8 weights in 7 bits (ONNX Runtime's reduce_range): only when asked.</summary>
public static class WeightRange
{
    /// <summary>
    /// The largest code of the 7-bit grid. Reduced weights keep the s8 type and twice the scale (WeightQuantization), so nearest
    /// rounding never passes it; a method that moves weights off nearest (GPTQ's error feedback) must clamp to it itself.
    /// </summary>
    public const int ReducedLimit = 64;

    public static bool Reduced(QuantizationOptions options) =>
        options.Mode == QuantizationMode.Int8Static && options.WeightType == QuantType.S8 && options.WeightSymmetric && options.ReduceRange is true;
}
