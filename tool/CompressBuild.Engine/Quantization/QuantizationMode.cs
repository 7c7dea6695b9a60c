namespace CompressBuild.Engine.Quantization;

/// <summary>What <see cref="ModelQuantizer"/> turns a float model into.</summary>
public enum QuantizationMode
{
    /// <summary>QuantizeLinear/DequantizeLinear pairs around Conv/Gemm/MatMul, activations calibrated on data.</summary>
    Int8Static,

    /// <summary>int8 weights, activations quantized at run time (com.microsoft DynamicQuantizeMatMul).</summary>
    Int8Dynamic,

    /// <summary>Weights and compute in float16, model inputs and outputs keep their types.</summary>
    Fp16,

    /// <summary>Block-wise 4-bit MatMul weights (com.microsoft MatMulNBits), activations stay float.</summary>
    Int4Weight,

    /// <summary>Block-wise 8-bit MatMul weights (com.microsoft MatMulNBits), activations stay float.</summary>
    Int8Weight,
}
