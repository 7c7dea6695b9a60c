using System.Globalization;

namespace CompressBuild.Engine.Pipeline.Cache;

/// <summary>Bytes moved to or from the remote cache, and how long it took (for progress lines and the benchmark).</summary>
public sealed record CacheTransfer(long Bytes, TimeSpan Elapsed)
{
    /// <summary>"12.3 MiB in 0.42 s".</summary>
    public string Describe() => Bytes < 1 << 20
        ? string.Create(CultureInfo.InvariantCulture, $"{Bytes / 1024.0:0.0} KiB in {Elapsed.TotalSeconds:0.00} s")
        : string.Create(CultureInfo.InvariantCulture, $"{Bytes / (1024.0 * 1024):0.0} MiB in {Elapsed.TotalSeconds:0.00} s");
}
