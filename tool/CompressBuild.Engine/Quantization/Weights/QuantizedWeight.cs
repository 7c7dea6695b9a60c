namespace CompressBuild.Engine.Quantization.Weights;

/// <param name="Dequantized">The float value the DequantizeLinear node produces, which the quantized node now reads.</param>
/// <param name="Scale">The initializer holding the weight's scale(s).</param>
internal sealed record QuantizedWeight(string Dequantized, string Scale, WeightQuantization Weights);
