namespace CompressBuild.Engine.Quantization;

internal static class DynamicQuantizer
{
    public static void Apply(QuantizationWork work, QuantizationOptions options) { _ = work; _ = options; }
}
