namespace CompressBuild.Engine.Pipeline.Cache;

/// <summary>Where a cache lookup found its entry.</summary>
public enum CacheSource
{
    Miss,
    Local,
    Remote,
}
