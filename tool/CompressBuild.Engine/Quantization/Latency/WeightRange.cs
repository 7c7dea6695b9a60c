namespace CompressBuild.Engine.Quantization.Latency;

/// <summary>Whether int8-static stores its s8 weights in 7 bits (ONNX Runtime's reduce_range): only when asked.</summary>
public static class WeightRange
{
    public static bool Reduced(QuantizationOptions options) =>
        options.Mode == QuantizationMode.Int8Static && options.WeightType == QuantType.S8 && options.WeightSymmetric && options.ReduceRange is true;
}
