namespace CompressBuild.Engine.Quantization;

/// <summary>Weighted layers (Conv, Gemm, MatMul) at the ends of the network that stay float.</summary>
[Flags]
public enum KeepFloat
{
    None = 0,
    First = 1,
    Last = 2,
}
