namespace CompressBuild.Engine.Quantization.Smoothing;

/// <summary>Which axis of a smoothed tensor holds the channels its consumers' weights read.</summary>
internal enum ChannelAxis
{
    /// <summary>Axis 1 of an [N, C, ...] tensor: what Conv reads.</summary>
    Second,

    /// <summary>The last axis: the K that MatMul and Gemm contract over.</summary>
    Last,
}
