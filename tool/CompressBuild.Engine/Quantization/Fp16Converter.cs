namespace CompressBuild.Engine.Quantization;

internal static class Fp16Converter
{
    public static void Apply(QuantizationWork work, QuantizationOptions options) { _ = work; _ = options; }
}
