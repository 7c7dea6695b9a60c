using System.Globalization;
using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Engine.Pipeline.Cache;

/// <summary>
/// The remote cache and housekeeping settings of a run: each from its command-line option, else its environment
/// variable (<c>COMPRESSBUILD_CACHE_URL</c>, <c>_MODE</c>, <c>_MAX_SIZE</c>, <c>_ENDPOINT</c>), else the default.
/// </summary>
/// <param name="Url">The remote store (azblob://, s3://, file://), or null for the local cache only.</param>
/// <param name="Endpoint">The service's address when it is not the cloud's (Azurite, MinIO, Ceph): http://127.0.0.1:10000/devstoreaccount1.</param>
/// <param name="MaxSizeBytes">Largest local cache size; least recently used entries are evicted after a run. Null: no limit.</param>
public sealed record CacheSettings(string? Url, CacheMode Mode, string? Endpoint, long? MaxSizeBytes)
{
    public const string UrlVariable = "COMPRESSBUILD_CACHE_URL";
    public const string ModeVariable = "COMPRESSBUILD_CACHE_MODE";
    public const string MaxSizeVariable = "COMPRESSBUILD_CACHE_MAX_SIZE";
    public const string EndpointVariable = "COMPRESSBUILD_CACHE_ENDPOINT";

    public static CacheSettings None { get; } = new(null, CacheMode.ReadWrite, null, null);

    public static CacheSettings Resolve(string? url, string? mode, string? maxSize, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        static string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        var modeText = Given(mode) ?? Given(environment(ModeVariable));
        var sizeText = Given(maxSize) ?? Given(environment(MaxSizeVariable));
        return new CacheSettings(
            Given(url) ?? Given(environment(UrlVariable)),
            modeText is null ? CacheMode.ReadWrite : ParseMode(modeText),
            Given(environment(EndpointVariable)),
            sizeText is null ? null : ParseSize(sizeText));
    }

    public static CacheMode ParseMode(string text) => text.Trim().ToLowerInvariant() switch
    {
        "read" or "read-only" or "readonly" => CacheMode.Read,
        "readwrite" or "read-write" => CacheMode.ReadWrite,
        _ => throw new CompressBuildException(DiagnosticCodes.CacheSettingInvalid, $"cache mode '{text}' is not read or readwrite (--cache-mode, {ModeVariable})."),
    };

    /// <summary>Bytes from "500MB", "10GB", "2GiB", "1.5G" or a plain byte count (units are powers of 1024).</summary>
    public static long ParseSize(string text)
    {
        var trimmed = text.Trim();
        var split = trimmed.Length;
        while (split > 0 && char.IsAsciiLetter(trimmed[split - 1]))
        {
            split--;
        }

        var unit = trimmed[split..].ToUpperInvariant().Replace("IB", "B", StringComparison.Ordinal);
        long? scale = unit switch
        {
            "" or "B" => 1,
            "K" or "KB" => 1L << 10,
            "M" or "MB" => 1L << 20,
            "G" or "GB" => 1L << 30,
            "T" or "TB" => 1L << 40,
            _ => null,
        };
        if (scale is null || !double.TryParse(trimmed[..split], NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number <= 0 || double.IsInfinity(number))
        {
            throw new CompressBuildException(DiagnosticCodes.CacheSettingInvalid, $"cache size '{text}' is not a positive size such as 500MB or 10GB (--cache-max-size, {MaxSizeVariable}).");
        }

        return (long)Math.Min(long.MaxValue / 2, number * scale.Value);
    }
}
