namespace CompressBuild.Engine.Pruning.Structured;

internal enum SliceRole
{
    /// <summary>Weight rows (or columns) that produce a channel.</summary>
    Producer,

    /// <summary>Weight columns (or rows) that read a channel.</summary>
    Consumer,

    /// <summary>A depthwise Conv's per-channel filter.</summary>
    Depthwise,

    /// <summary>BatchNormalization scale (gamma).</summary>
    BnScale,

    /// <summary>Biases, BatchNormalization statistics, broadcast constants.</summary>
    Other,
}
