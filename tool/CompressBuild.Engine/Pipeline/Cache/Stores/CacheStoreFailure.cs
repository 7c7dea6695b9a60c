namespace CompressBuild.Engine.Pipeline.Cache.Stores;

/// <summary>Why a store operation failed; it decides the warning and whether reads may go on.</summary>
public enum CacheStoreFailure
{
    /// <summary>Network error, timeout, server error: the store is off for the rest of the run.</summary>
    Unreachable,

    /// <summary>The store refused the credentials (401/403, no credential found).</summary>
    AccessDenied,
}
