namespace CompressBuild.Engine.Quantization.Smoothing;

/// <summary>The node whose constants absorb 1/s, so that a smoothed tensor is computed already divided by s.</summary>
internal enum ProducerKind
{
    /// <summary>Conv: output channel m's weights and bias divided by s_m.</summary>
    Conv,

    /// <summary>MatMul with a constant [K, N] right operand (and the exporter's bias Add after it): column n divided by s_n.</summary>
    MatMul,

    /// <summary>Gemm with constant B (and C): output column n divided by s_n.</summary>
    Gemm,

    /// <summary>Mul by a constant per-channel (or scalar) factor, with an optional constant Add after it: the end of a decomposed LayerNorm or an affine layer.</summary>
    Affine,

    /// <summary>LayerNormalization over the last axis: its Scale and B divided by s.</summary>
    LayerNormalization,

    /// <summary>BatchNormalization: its scale and B divided by s.</summary>
    BatchNormalization,
}
