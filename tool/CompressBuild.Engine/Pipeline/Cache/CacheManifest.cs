namespace CompressBuild.Engine.Pipeline.Cache;

/// <summary>What an entry holds; written last, so an entry without one is incomplete and never read.</summary>
internal sealed record CacheManifest(int Version, string Key, IReadOnlyList<CacheManifestFile> Files)
{
    public const string FileName = "manifest.json";
    public const int CurrentVersion = 1;
}
