using System.Security.Cryptography;
using System.Text.Json;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Reporting;

namespace CompressBuild.Engine.Pipeline.Cache;

/// <summary>
/// Content-addressed store of pipeline results. An entry is a folder named by its key holding the output files
/// and a manifest of their sizes and SHA-256. Entries are built in a private temporary folder and published with
/// one directory rename, so a reader sees a whole entry or none, and several processes may share the cache: when
/// two build the same key, the first rename wins and the other's copy is discarded. A hit is verified against
/// the manifest; a damaged entry is removed and reported as corrupt, so the caller rebuilds it.
/// </summary>
public sealed class ContentCache
{
    public const string EnvironmentVariable = "COMPRESSBUILD_CACHE";
    private const string Layout = "v1";

    public ContentCache(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    /// <summary>The cache at <paramref name="explicitRoot"/>, else $COMPRESSBUILD_CACHE, else the user's cache folder.</summary>
    public static ContentCache Open(string? explicitRoot = null) =>
        new(explicitRoot ?? (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultRoot()));

    public static string DefaultRoot()
    {
        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "CompressBuild", "cache");
        }

        if (OperatingSystem.IsMacOS())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "Library", "Caches", "CompressBuild");
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        return Path.Combine(xdg is { Length: > 0 } ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "compressbuild");
    }

    /// <summary>The verified entry for <paramref name="key"/>, or null; <paramref name="wasCorrupt"/> says a damaged entry was found and removed.</summary>
    public CacheEntry? TryGet(string key, out bool wasCorrupt)
    {
        wasCorrupt = false;
        var folder = EntryFolder(key);
        if (!Directory.Exists(folder))
        {
            return null;
        }

        if (Verify(key, folder) is { } entry)
        {
            MarkUsed(folder);
            return entry;
        }

        wasCorrupt = true;
        Discard(folder);
        return null;
    }

    /// <summary>Stores copies of <paramref name="files"/> (entry name to source path) under <paramref name="key"/>; returns the published entry.</summary>
    /// <param name="move">Move the files instead of copying them (they lie in <see cref="NewStagingFolder"/>, e.g. downloads from the remote cache).</param>
    public CacheEntry Put(string key, IReadOnlyList<KeyValuePair<string, string>> files, bool move = false)
    {
        var staging = NewStagingFolder();
        try
        {
            Directory.CreateDirectory(staging);
            var manifestFiles = new List<CacheManifestFile>();
            foreach (var (name, source) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) || name == CacheManifest.FileName)
                {
                    throw new ArgumentException($"'{name}' is not a valid cache entry file name.", nameof(files));
                }

                var target = Path.Combine(staging, name);
                if (move)
                {
                    File.Move(source, target);
                }
                else
                {
                    File.Copy(source, target);
                }

                manifestFiles.Add(new CacheManifestFile(name, new FileInfo(target).Length, Sha256(target)));
            }

            var manifest = new CacheManifest(CacheManifest.CurrentVersion, key, manifestFiles);
            File.WriteAllText(Path.Combine(staging, CacheManifest.FileName), JsonSerializer.Serialize(manifest, JsonFormat.Indented));

            var folder = EntryFolder(key);
            Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
            try
            {
                Directory.Move(staging, folder);
            }
            catch (IOException) when (Directory.Exists(folder))
            {
                // Another process published the same key first; its entry holds the same content.
            }

            return TryGet(key, out _) ?? throw new CompressBuildException(DiagnosticCodes.CacheUnavailable, $"cache entry {key} could not be read back after writing it.", folder);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CompressBuildException(DiagnosticCodes.CacheUnavailable, $"the cache folder is not writable: {e.Message} Set --cache-dir or {EnvironmentVariable}, or pass --no-cache.", Root,
                inner: e);
        }
        finally
        {
            Discard(staging);
        }
    }

    /// <summary>A fresh folder on the cache's own volume, for files about to become an entry (a rename, not a copy, then publishes them).</summary>
    public string NewStagingFolder() => Path.Combine(Root, Layout, "staging", Guid.NewGuid().ToString("N"));

    /// <summary>The published entries with their sizes and last use (staging folders excluded), for housekeeping.</summary>
    public IReadOnlyList<LocalEntryInfo> Entries()
    {
        var layout = Path.Combine(Root, Layout);
        if (!Directory.Exists(layout))
        {
            return [];
        }

        var entries = new List<LocalEntryInfo>();
        foreach (var shard in Directory.EnumerateDirectories(layout).Where(d => Path.GetFileName(d).Length == 2))
        {
            foreach (var folder in Directory.EnumerateDirectories(shard))
            {
                try
                {
                    var bytes = new DirectoryInfo(folder).EnumerateFiles().Sum(f => f.Length);
                    entries.Add(new LocalEntryInfo(Path.GetFileName(folder), folder, bytes, Directory.GetLastWriteTimeUtc(folder)));
                }
                catch (IOException)
                {
                    // Removed by another process while we looked.
                }
            }
        }

        return entries;
    }

    /// <summary>Removes an entry (renamed away first, so no reader sees half of it).</summary>
    public void Remove(LocalEntryInfo entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Discard(entry.Folder);
    }

    /// <summary>Removes every entry and every staging folder.</summary>
    public void Clear()
    {
        foreach (var entry in Entries())
        {
            Remove(entry);
        }

        var staging = Path.Combine(Root, Layout, "staging");
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>The entry folder's time records its last use, which least-recently-used eviction orders by.</summary>
    private static void MarkUsed(string folder)
    {
        try
        {
            Directory.SetLastWriteTimeUtc(folder, DateTime.UtcNow);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only shared cache still serves hits; it just cannot order them for eviction.
        }
    }

    private string EntryFolder(string key)
    {
        if (key.Length < 16 || !key.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException($"'{key}' is not a cache key.", nameof(key));
        }

        return Path.Combine(Root, Layout, key[..2], key);
    }

    private static CacheEntry? Verify(string key, string folder)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<CacheManifest>(File.ReadAllText(Path.Combine(folder, CacheManifest.FileName)), JsonFormat.Indented);
            if (manifest is null || manifest.Version != CacheManifest.CurrentVersion || manifest.Key != key)
            {
                return null;
            }

            foreach (var file in manifest.Files)
            {
                var path = Path.Combine(folder, file.Name);
                if (!File.Exists(path) || new FileInfo(path).Length != file.Length || Sha256(path) != file.Sha256)
                {
                    return null;
                }
            }

            return new CacheEntry(key, folder, manifest.Files.Select(f => f.Name).ToList());
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    private static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private void Discard(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }

        // Rename first so no reader ever sees a half-deleted entry, then delete at leisure.
        var trash = Path.Combine(Root, Layout, "staging", "trash-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(trash)!);
            Directory.Move(folder, trash);
            Directory.Delete(trash, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
