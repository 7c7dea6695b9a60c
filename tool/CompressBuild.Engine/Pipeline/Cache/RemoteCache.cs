using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Pipeline.Cache.Stores;
using CompressBuild.Engine.Reporting;

namespace CompressBuild.Engine.Pipeline.Cache;

/// <summary>
/// The shared layer behind the local cache, on any <see cref="ICacheStore"/>. Two kinds of objects, as in Bazel's
/// remote cache: file contents stored by their SHA-256 (<c>v1/cas/ab/abcd...</c>) and one manifest per key
/// (<c>v1/ac/12/1234....json</c>, the local entry's manifest.json). A writer uploads the contents first and the
/// manifest last, so a half-uploaded entry has no manifest and nobody sees it; two writers of one key upload
/// contents under their own hashes, and the first manifest to land stands (a conditional write, <see cref="ICacheStore.TryCreateAsync"/>),
/// so the one readers find names files that all exist and is never rewritten under them. A reader
/// checks every downloaded file's length and SHA-256 against the manifest: a mismatch is warning CB4101 and the
/// entry is not used. Any failure of the service (down, slow, refusing credentials) is one warning, after
/// which the remote is left alone for the rest of the run; the build never fails because of it.
/// </summary>
public sealed class RemoteCache : IDisposable
{
    private const string Layout = "v1";
    private const long ManifestLimit = 1 << 20;
    private readonly ICacheStore store;
    private readonly RemoteCacheLimits limits;
    private readonly List<Advisory> warnings = [];
    private readonly Lock gate = new();

    /// <summary>Objects this run found damaged (or missing): the rebuild writes them again, where it skips sound ones.</summary>
    private readonly HashSet<string> damagedObjects = new(StringComparer.Ordinal);
    private bool off;
    private bool writesOff;

    public RemoteCache(ICacheStore store, CacheMode mode, RemoteCacheLimits? limits = null)
    {
        this.store = store;
        Mode = mode;
        this.limits = limits ?? RemoteCacheLimits.Default;
    }

    public CacheMode Mode { get; }

    public string Location => store.Location;

    /// <summary>At most one warning per kind of failure; CB4101 once per damaged entry.</summary>
    public IReadOnlyList<Advisory> Warnings
    {
        get
        {
            lock (gate)
            {
                return [.. warnings];
            }
        }
    }

    /// <summary>Opens the store the settings name, or returns null when no URL is set.</summary>
    public static RemoteCache? Open(CacheSettings settings, Func<string, string?> environment, RemoteCacheLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Url is null)
        {
            return null;
        }

        limits ??= RemoteCacheLimits.Default;
        return new RemoteCache(CacheStoreFactory.Create(settings.Url, settings.Endpoint, environment, limits), settings.Mode, limits);
    }

    public static string ManifestName(string key) => $"{Layout}/ac/{key[..2]}/{key}.json";

    public static string ContentName(string sha256) => $"{Layout}/cas/{sha256[..2]}/{sha256}";

    /// <summary>
    /// Downloads the entry for <paramref name="key"/> into <paramref name="local"/> and returns it, verified; null when the
    /// remote has none, it is damaged (CB4101), or the remote failed (one CB4102/CB4103 for the run).
    /// </summary>
    /// <param name="what">Names the entry in warnings, e.g. the trial's origin.</param>
    public (CacheEntry Entry, CacheTransfer Download)? TryRestore(string key, ContentCache local, string what)
    {
        ArgumentNullException.ThrowIfNull(local);
        if (IsOff)
        {
            return null;
        }

        var clock = Stopwatch.StartNew();
        using var manifestBytes = new MemoryStream();
        var found = Guard(ct => store.TryDownloadAsync(ManifestName(key), manifestBytes, ct), limits.Deadline(0), "reading");
        if (found is not true)
        {
            return null;
        }

        if (Parse(manifestBytes, key) is not { } manifest)
        {
            Damaged(key, what, "its manifest is not valid");
            lock (gate)
            {
                damagedObjects.Add(ManifestName(key));
            }

            return null;
        }

        var staging = local.NewStagingFolder();
        try
        {
            Directory.CreateDirectory(staging);
            var bytes = manifestBytes.Length;
            foreach (var file in manifest.Files)
            {
                var path = Path.Combine(staging, file.Name);
                bool? downloaded;
                using (var hashing = new HashingFileStream(path))
                {
                    downloaded = Guard(ct => store.TryDownloadAsync(ContentName(file.Sha256), hashing, ct), limits.Deadline(file.Length), "reading");
                    if (downloaded is null)
                    {
                        return null;
                    }

                    if (downloaded == false || hashing.Length != file.Length || hashing.Sha256() != file.Sha256)
                    {
                        Damaged(key, what, downloaded == false ? $"{file.Name} is missing" : $"{file.Name} does not match its SHA-256");
                        lock (gate)
                        {
                            damagedObjects.Add(ContentName(file.Sha256));
                            damagedObjects.Add(ManifestName(key));
                        }

                        return null;
                    }
                }

                bytes += file.Length;
            }

            var entry = local.Put(key, [.. manifest.Files.Select(f => new KeyValuePair<string, string>(f.Name, Path.Combine(staging, f.Name)))], move: true);
            return (entry, new CacheTransfer(bytes, clock.Elapsed));
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    /// <summary>Uploads a local entry: its files by content, then its manifest. Null when nothing was uploaded (read mode, remote off, failure).</summary>
    public CacheTransfer? Publish(CacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (Mode != CacheMode.ReadWrite || IsOff || writesOff)
        {
            return null;
        }

        var clock = Stopwatch.StartNew();
        var manifestPath = entry.PathOf(CacheManifest.FileName);
        using var manifestBytes = new MemoryStream(File.ReadAllBytes(manifestPath));
        if (Parse(manifestBytes, entry.Key) is not { } manifest)
        {
            return null;
        }

        // Objects already in the store are not written again: the first manifest of a key wins (then nothing is
        // uploaded), and content objects are immutable by their name. Rewriting them would cost the transfer, and on
        // stores whose overwrite is not atomic (some S3-compatible servers) a concurrent reader could see half an object.
        if (Exists(ManifestName(entry.Key)) is not { } published)
        {
            return null;
        }

        if (published)
        {
            return new CacheTransfer(0, clock.Elapsed);
        }

        long bytes = 0;
        foreach (var file in manifest.Files)
        {
            var name = ContentName(file.Sha256);
            if (Exists(name) is not { } exists || (!exists && !Upload(name, entry.PathOf(file.Name), file.Length)))
            {
                return null;
            }

            bytes += exists ? 0 : file.Length;
        }

        // Last: until the manifest lands, the entry does not exist for any reader. Only where no other writer's has landed meanwhile (the
        // contents took a while): agents that start together finish together, and on a store whose overwrite is not atomic (s3rver) two
        // manifests written at once left one damaged for the next reader. A damaged manifest this run found is replaced.
        bool damaged;
        lock (gate)
        {
            damaged = damagedObjects.Contains(ManifestName(entry.Key));
        }

        var landed = damaged
            ? Upload(ManifestName(entry.Key), manifestPath, 0) ? true : null
            : Exists(ManifestName(entry.Key)) switch { false => Create(ManifestName(entry.Key), manifestPath), true => false, null => null };
        if (landed is null)
        {
            return null;
        }

        if (landed is false)
        {
            // Another writer's manifest landed first and stands: this run's contents went up, its manifest did not.
            return new CacheTransfer(bytes, clock.Elapsed);
        }

        bytes += manifestBytes.Length;

        return new CacheTransfer(bytes, clock.Elapsed);
    }

    /// <summary>The names of every object the store holds under this cache's layout (for statistics and tests).</summary>
    public IReadOnlyList<string>? ListObjects() => TryRun(ct => store.ListAsync(Layout + "/", ct), limits.Deadline(0), "listing", out var names) ? names : null;

    public void Dispose() => store.Dispose();

    private bool IsOff
    {
        get
        {
            lock (gate)
            {
                return off;
            }
        }
    }

    /// <summary>Runs one store operation within its deadline; a failure becomes the run's warning and false.</summary>
    private bool TryRun<T>(Func<CancellationToken, Task<T>> operation, TimeSpan deadline, string doing, out T? result)
    {
        using var timeout = new CancellationTokenSource(deadline);
        result = default;
        try
        {
            result = operation(timeout.Token).GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Fail(CacheStoreFailure.Unreachable, string.Create(CultureInfo.InvariantCulture, $"no answer within {deadline.TotalSeconds:0} s"), doing);
        }
        catch (CacheStoreException e)
        {
            Fail(e.Failure, e.Message, doing);
        }

        return false;
    }

    /// <summary>A download: true or false when the service answered (found or not), null when it failed.</summary>
    private bool? Guard(Func<CancellationToken, Task<bool>> operation, TimeSpan deadline, string doing) =>
        TryRun(operation, deadline, doing, out var found) ? found : null;

    /// <summary>Whether the store holds an object of exactly this name; null when the store failed (the run's warning is raised).</summary>
    private bool? Exists(string name)
    {
        lock (gate)
        {
            if (damagedObjects.Contains(name))
            {
                return false;
            }
        }

        return TryRun(ct => store.ListAsync(name, ct), limits.Deadline(0), "listing", out var names) ? names!.Contains(name, StringComparer.Ordinal) : null;
    }

    private bool Upload(string name, string file, long length) =>
        TryRun(async ct => { await store.UploadAsync(name, file, ct).ConfigureAwait(false); return true; }, limits.Deadline(length), "writing", out _);

    /// <summary>Writes an object only where the store holds none by its name (<see cref="ICacheStore.TryCreateAsync"/>): false when one landed first,
    /// null when the store failed.</summary>
    private bool? Create(string name, string file) =>
        TryRun(ct => store.TryCreateAsync(name, file, ct), limits.Deadline(0), "writing", out var created) ? created : null;

    private void Fail(CacheStoreFailure failure, string reason, string doing)
    {
        lock (gate)
        {
            if (failure == CacheStoreFailure.AccessDenied && doing == "writing")
            {
                // Read-only credentials in readwrite mode: reading may still work, writing never will.
                writesOff = true;
                warnings.Add(new Advisory(DiagnosticCodes.RemoteCacheWriteRefused,
                    $"the remote cache {Location} refused a write ({reason}); nothing more is uploaded in this run. Read-only credentials belong with --cache-mode read " +
                        $"({CacheSettings.ModeVariable}=read)."));
                return;
            }

            off = true;
            warnings.Add(failure == CacheStoreFailure.AccessDenied
                ? new Advisory(DiagnosticCodes.RemoteCacheAccessDenied, $"the remote cache {Location} refused the credentials while {doing} ({reason}); this run goes on with the local cache only.")
                : new Advisory(DiagnosticCodes.RemoteCacheUnavailable, $"the remote cache {Location} is unavailable while {doing} ({reason}); this run goes on with the local cache only."));
        }
    }

    private void Damaged(string key, string what, string why)
    {
        lock (gate)
        {
            warnings.Add(new Advisory(DiagnosticCodes.CacheEntryCorrupt, $"the remote cache entry {key[..12]} for {what} is damaged ({why}); it was ignored and is computed again."));
        }
    }

    /// <summary>The manifest, if it is one for this key whose file names and hashes are safe to use as local paths and object names.</summary>
    private static CacheManifest? Parse(MemoryStream bytes, string key)
    {
        if (bytes.Length > ManifestLimit)
        {
            return null;
        }

        try
        {
            var manifest = JsonSerializer.Deserialize<CacheManifest>(bytes.ToArray(), JsonFormat.Indented);
            var valid = manifest is { Version: CacheManifest.CurrentVersion, Files: not null } && manifest.Key == key
                && manifest.Files.All(f => f is not null && IsSafeName(f.Name) && f.Length >= 0 && f.Sha256 is { Length: 64 } && f.Sha256.All(char.IsAsciiHexDigitLower))
                && manifest.Files.Select(f => f.Name).Distinct(StringComparer.Ordinal).Count() == manifest.Files.Count;
            return valid ? manifest : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsSafeName(string? name) =>
        name is { Length: > 0 and < 256 } && name != "." && name != ".." && name != CacheManifest.FileName && name.IndexOfAny(['/', '\\', ':', '\0']) < 0;
}
