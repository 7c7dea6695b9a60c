namespace CompressBuild.Engine.Pipeline.Cache;

internal sealed record CacheManifestFile(string Name, long Length, string Sha256);
