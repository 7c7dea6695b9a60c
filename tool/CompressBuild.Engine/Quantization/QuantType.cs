namespace CompressBuild.Engine.Quantization;

/// <summary>The 8-bit integer type a tensor is quantized to.</summary>
public enum QuantType
{
    U8,
    S8,
}
