namespace CompressBuild.Engine.Pipeline.Cache;

/// <summary>
/// How long the remote cache may keep a build waiting. Each request is retried at most <see cref="Retries"/> times
/// with exponential back-off, each try gives up after <see cref="NetworkTimeout"/> without progress, and a whole
/// transfer after <see cref="Deadline"/>; a failure turns the remote off for the rest of the run.
/// </summary>
public sealed record RemoteCacheLimits(int Retries, TimeSpan RetryDelay, TimeSpan NetworkTimeout, TimeSpan MinimumDeadline, long MinimumBytesPerSecond)
{
    public static RemoteCacheLimits Default { get; } = new(2, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), 1L << 20);

    /// <summary>A transfer of <paramref name="bytes"/> may take the minimum deadline plus the time at the slowest accepted rate.</summary>
    public TimeSpan Deadline(long bytes) => MinimumDeadline + TimeSpan.FromSeconds((double)bytes / MinimumBytesPerSecond);
}
