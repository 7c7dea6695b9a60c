namespace CompressBuild.Engine.Pipeline.Cache;

/// <summary>A verified cache entry: a folder of files whose sizes and SHA-256 match the entry's manifest.</summary>
public sealed record CacheEntry(string Key, string Folder, IReadOnlyList<string> Files)
{
    public string PathOf(string name) => Path.Combine(Folder, name);
}
