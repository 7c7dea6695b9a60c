namespace CompressBuild.Engine.Pipeline.Cache;

/// <summary>What <c>dotnet compress cache stats</c> shows about the local cache.</summary>
public sealed record CacheStatistics(string Root, int Entries, long Bytes, DateTime? OldestUseUtc, DateTime? NewestUseUtc);
