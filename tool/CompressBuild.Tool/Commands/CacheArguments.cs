namespace CompressBuild.Tool.Commands;

/// <summary>The remote cache options of <c>run</c> as typed; <see cref="Engine.Pipeline.Cache.CacheSettings.Resolve"/> adds the environment.</summary>
internal sealed record CacheArguments(string? Url, string? Mode, string? MaxSize)
{
    public static CacheArguments None { get; } = new(null, null, null);
}
