namespace CompressBuild.Engine.Reconstruction;

/// <summary>How a layer's input becomes the rows X whose Gram matrix X^T X drives the solves.</summary>
public enum LayerKind
{
    /// <summary>MatMul / Gemm: every row of the input's last axis (after flattening the leading axes) is one row of X.</summary>
    Dense,

    /// <summary>Conv (1-D or 2-D): every output position's receptive field (im2col patch) is one row of X, per group.</summary>
    Conv,
}
