namespace CompressBuild.Engine.Quantization.Mixed;

/// <summary>How mixed precision ranks layers by sensitivity.</summary>
public enum SensitivityMethod
{
    /// <summary>Quantize one layer at a time and measure the model's output cosine (one model build and run per layer).</summary>
    Probe,

    /// <summary>HAWQ-V3's trace(H) x ||W - Q(W)||^2 / n, from each layer's input Gram matrix (one capture pass, no trial models).</summary>
    Hessian,

    /// <summary>
    /// The layer's output noise relative to its signal, trace(dW G dW^T) / trace(W G W^T) with G its input Gram matrix and dW = Q(W) - W
    /// (the same capture as <see cref="Hessian"/>): the full Gram matrix weighs each weight's error by the inputs it meets.
    /// </summary>
    HessianNoise,
}
