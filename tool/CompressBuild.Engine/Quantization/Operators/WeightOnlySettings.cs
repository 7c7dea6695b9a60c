namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>
/// What the weight-only forms need beyond the options: the bit width (4 or 8), the opset a Conv's DequantizeLinear
/// is written for (int4 needs 21), and the GPTQ-solved weights' original ranges by weight name (null without GPTQ).
/// </summary>
internal sealed record WeightOnlySettings(int Bits, long ConvOpset, IReadOnlyDictionary<string, float[]>? GptqRanges);
