namespace CompressBuild.Engine.Pipeline.Cache;

/// <summary>What a run may do with the remote cache (the local cache is always read and written).</summary>
public enum CacheMode
{
    /// <summary>Use entries, never write one: for untrusted builds (pull requests from forks), so they cannot poison the cache.</summary>
    Read,

    /// <summary>Use entries and upload what this run computed (trusted builds: the main branch).</summary>
    ReadWrite,
}
