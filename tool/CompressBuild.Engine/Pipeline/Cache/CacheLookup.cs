namespace CompressBuild.Engine.Pipeline.Cache;

/// <summary>
/// The result of a layered lookup: the entry (null on a miss), where it came from, the download when it came
/// from the remote, and whether a damaged local entry was found and removed on the way.
/// </summary>
public sealed record CacheLookup(CacheEntry? Entry, CacheSource Source, CacheTransfer? Download, bool LocalWasCorrupt);
