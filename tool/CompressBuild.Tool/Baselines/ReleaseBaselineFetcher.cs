using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;
using NuGet.Common;
using NuGet.Configuration;
using NuGet.Packaging;
using NuGet.Packaging.Core;
using NuGet.Protocol;
using NuGet.Protocol.Core.Types;
using NuGet.Versioning;

namespace CompressBuild.Tool.Baselines;

/// <summary>
/// Finds the last release of a package before the version being built, downloads it from its feed (a v3 URL or
/// a local folder) and merges the baselines it packed (<c>compressbuild/baselines/*.json</c>), so a build can
/// fail when a model got worse than the version users already have. NuGet's own client libraries do the feed
/// work (the same ones the SDK restores with). The feed may be a URL, a folder, or the name of a source in
/// nuget.config; a source configured in nuget.config (matched by name or URL) brings its credentials
/// (packageSourceCredentials), which NuGet's HTTP handler sends as restore does.
/// </summary>
internal static class ReleaseBaselineFetcher
{
    public const string BaselineFolder = "compressbuild/baselines/";

    /// <summary>Feed queries and the download together; a hung feed must not hang the build.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static ReleaseBaseline? Fetch(string packageId, string feed, string before, Action<string> info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (!NuGetVersion.TryParse(before, out var limit))
        {
            throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, $"--baseline-before takes the version being built (e.g. 1.2.0); got '{before}'.");
        }

        var configured = ConfiguredSource(feed);
        var location = configured?.Source ?? feed;
        var isUrl = Uri.TryCreate(location, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
        var source = isUrl ? location : Path.GetFullPath(location);
        if (!isUrl && !Directory.Exists(source))
        {
            throw Unavailable(feed, $"the folder {source} does not exist.");
        }

        var packageSource = configured is not null && isUrl ? configured : new PackageSource(source);

        using var timeout = new CancellationTokenSource(Timeout);
        using var scratch = new ScratchFolder("release-baseline");

        // NoCache: always ask the feed (a release published a minute ago counts); the HTTP cache goes to our temp folder.
        using var cache = new SourceCacheContext { NoCache = true, DirectDownload = true, GeneratedTempFolder = scratch.Path };
        try
        {
            var finder = Repository.Factory.GetCoreV3(packageSource).GetResourceAsync<FindPackageByIdResource>(timeout.Token).GetAwaiter().GetResult()
                ?? throw Unavailable(feed, "it is not a NuGet feed.");
            var versions = finder.GetAllVersionsAsync(packageId, cache, NullLogger.Instance, timeout.Token).GetAwaiter().GetResult();
            var release = versions.Where(v => v < limit).Max();
            if (release is null)
            {
                info($"no earlier release of {packageId} on {feed}; nothing to compare");
                return null;
            }

            using var package = new MemoryStream();
            if (!finder.CopyNupkgToStreamAsync(packageId, release, package, cache, NullLogger.Instance, timeout.Token).GetAwaiter().GetResult())
            {
                throw Unavailable(feed, $"{packageId} {release} is listed but could not be downloaded.");
            }

            package.Position = 0;
            var label = $"{packageId} {release.ToNormalizedString()}";
            var document = Merge(package, label, scratch, feed);
            info($"comparing against {label} from {feed} ({document.Models.Count} baseline model(s))");
            return new ReleaseBaseline(label, document);
        }
        catch (Exception e) when (e is FatalProtocolException or HttpRequestException or IOException or InvalidDataException or PackagingException
            or OperationCanceledException or UnauthorizedAccessException)
        {
            var reason = e is OperationCanceledException ? $"no answer within {Timeout.TotalSeconds:0} s" : e.Message;
            throw Unavailable(feed, $"{packageId}: {reason}", e);
        }
    }

    /// <summary>
    /// The nuget.config source (from the current folder up, then the user's and the machine's config, as restore reads
    /// them) whose name or URL is <paramref name="feed"/>, with its credentials; null when none is configured.
    /// </summary>
    internal static PackageSource? ConfiguredSource(string feed)
    {
        try
        {
            var settings = Settings.LoadDefaultSettings(Directory.GetCurrentDirectory());
            return new PackageSourceProvider(settings).LoadPackageSources().FirstOrDefault(s =>
                string.Equals(s.Name, feed, StringComparison.OrdinalIgnoreCase) ||
                string.Equals(s.Source.TrimEnd('/'), feed.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
        }
        catch (NuGetConfigurationException e)
        {
            throw Unavailable(feed, $"nuget.config could not be read: {e.Message}", e);
        }
    }

    /// <summary>Every packed baseline, in ordinal order of file name; a model in two files keeps the later file's entry.</summary>
    private static BaselineDocument Merge(Stream package, string label, ScratchFolder scratch, string feed)
    {
        using var reader = new PackageArchiveReader(package, leaveStreamOpen: true);
        var files = reader.GetFiles()
            .Where(f => f.Replace('\\', '/').StartsWith(BaselineFolder, StringComparison.OrdinalIgnoreCase)
                && f.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && f.Count(c => c is '/' or '\\') == 2)
            .Order(StringComparer.Ordinal)
            .ToList();
        var merged = BaselineDocument.Empty();
        foreach (var (file, index) in files.Select((f, i) => (f, i)))
        {
            var copy = scratch.File($"baseline-{index}.json");
            using (var entry = reader.GetStream(file))
            using (var target = File.Create(copy))
            {
                entry.CopyTo(target);
            }

            BaselineDocument document;
            try
            {
                document = BaselineFile.TryLoad(copy)!;
            }
            catch (CompressBuildException e) when (e.Code == DiagnosticCodes.BaselineInvalid)
            {
                throw Unavailable(feed, $"{label}: {file} is not a readable baseline: {e.Message}", e);
            }

            foreach (var (name, model) in document.Models)
            {
                merged.Models[name] = model;
            }
        }

        return merged;
    }

    private static CompressBuildException Unavailable(string feed, string reason, Exception? inner = null) =>
        new(DiagnosticCodes.BaselineFeedUnavailable, $"baseline feed {feed} unavailable: {reason}", inner: inner);
}
