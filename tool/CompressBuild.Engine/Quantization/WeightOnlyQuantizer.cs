namespace CompressBuild.Engine.Quantization;

internal static class WeightOnlyQuantizer
{
    public static void Apply(QuantizationWork work, QuantizationOptions options, int bits) { _ = work; _ = options; _ = bits; }
}
