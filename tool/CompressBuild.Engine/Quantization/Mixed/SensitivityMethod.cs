namespace CompressBuild.Engine.Quantization.Mixed;

/// <summary>How mixed precision ranks layers by sensitivity.</summary>
public enum SensitivityMethod
{
    /// <summary>Quantize one layer at a time and measure the model's output cosine (one model build and run per layer).</summary>
    Probe,

    /// <summary>HAWQ-V3's trace(H) x ||W - Q(W)||^2 / n, from each layer's input Gram matrix (one capture pass, no trial models).</summary>
    Hessian,
}
