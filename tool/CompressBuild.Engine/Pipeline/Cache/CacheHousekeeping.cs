namespace CompressBuild.Engine.Pipeline.Cache;

/// <summary>
/// Keeps the local cache within a size: least recently used entries go first (a hit or a write marks an entry
/// used). Runs after a pipeline run, when no entry is still being read, and from <c>dotnet compress cache prune</c>.
/// </summary>
public static class CacheHousekeeping
{
    public static CacheStatistics Statistics(ContentCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var entries = cache.Entries();
        return new CacheStatistics(cache.Root, entries.Count, entries.Sum(e => e.Bytes),
            entries.Count == 0 ? null : entries.Min(e => e.LastUsedUtc), entries.Count == 0 ? null : entries.Max(e => e.LastUsedUtc));
    }

    /// <summary>Removes least recently used entries until the cache holds at most <paramref name="maxBytes"/>.</summary>
    public static CachePruneResult Prune(ContentCache cache, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var entries = cache.Entries().OrderBy(e => e.LastUsedUtc).ThenBy(e => e.Key, StringComparer.Ordinal).ToList();
        var total = entries.Sum(e => e.Bytes);
        var removed = 0;
        long freed = 0;
        foreach (var entry in entries)
        {
            if (total <= maxBytes)
            {
                break;
            }

            cache.Remove(entry);
            total -= entry.Bytes;
            freed += entry.Bytes;
            removed++;
        }

        return new CachePruneResult(removed, freed, entries.Count - removed, total);
    }
}
