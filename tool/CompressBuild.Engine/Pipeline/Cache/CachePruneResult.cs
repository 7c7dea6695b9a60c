namespace CompressBuild.Engine.Pipeline.Cache;

/// <summary>What an eviction removed and what is left.</summary>
public sealed record CachePruneResult(int Removed, long FreedBytes, int EntriesLeft, long BytesLeft);
