using CompressBuild.Engine.Budgets;

namespace CompressBuild.Engine.Pipeline.Cache;

/// <summary>
/// The cache a run uses: the local folder first, then the remote one when configured. A remote hit is verified
/// and fills the local cache, so the next run on this machine is local; what a run computes goes to the local
/// cache and, in readwrite mode, to the remote. After the run the local cache is trimmed to its size limit.
/// </summary>
public sealed class LayeredCache(ContentCache local, RemoteCache? remote = null, long? maxLocalBytes = null) : IDisposable
{
    public ContentCache Local { get; } = local;

    public RemoteCache? Remote { get; } = remote;

    /// <summary>The remote's warnings (unavailable, refused, damaged entries), each to be reported once.</summary>
    public IReadOnlyList<Advisory> Warnings => Remote?.Warnings ?? [];

    /// <param name="what">Names the entry in warnings, e.g. the trial's origin.</param>
    public CacheLookup TryGet(string key, string what)
    {
        if (Local.TryGet(key, out var corrupt) is { } entry)
        {
            return new CacheLookup(entry, CacheSource.Local, null, false);
        }

        if (Remote?.TryRestore(key, Local, what) is var (restored, download))
        {
            return new CacheLookup(restored, CacheSource.Remote, download, corrupt);
        }

        return new CacheLookup(null, CacheSource.Miss, null, corrupt);
    }

    /// <summary>Stores the files locally, then uploads them (readwrite mode); returns the local entry and the upload, if any.</summary>
    public (CacheEntry Entry, CacheTransfer? Upload) Put(string key, IReadOnlyList<KeyValuePair<string, string>> files)
    {
        var entry = Local.Put(key, files);
        return (entry, Remote?.Publish(entry));
    }

    /// <summary>Evicts least recently used local entries beyond the size limit; call once no entry is being read.</summary>
    public CachePruneResult? Trim() => maxLocalBytes is { } limit ? CacheHousekeeping.Prune(Local, limit) : null;

    public void Dispose() => Remote?.Dispose();
}
