namespace CompressBuild.Engine.Diagnostics;

/// <summary>
/// The cancellation a long run is under, ambient so the loops deep inside a trial (calibration, comparison over
/// the evaluation data, latency sampling, sensitivity probes) can stop a search at its timeout without every
/// signature in between carrying a token. A search enters it; the loops call <see cref="ThrowIfExpired"/>.
/// </summary>
public static class Deadline
{
    private static readonly AsyncLocal<Scope?> Ambient = new();

    /// <summary>The current deadline's token (none outside a search): cancelled by its timer, or by the first check past it.</summary>
    public static CancellationToken Current => Ambient.Value?.Source.Token ?? CancellationToken.None;

    /// <summary>
    /// Runs the caller's scope until <paramref name="limit"/> has passed on <paramref name="clock"/>, cancelling
    /// <paramref name="source"/> then; disposing restores the enclosing scope.
    /// </summary>
    public static IDisposable Enter(CancellationTokenSource source, TimeSpan limit, TimeProvider clock)
    {
        var scope = new Scope(Ambient.Value, source, clock, clock.GetTimestamp(), limit);
        Ambient.Value = scope;
        return scope;
    }

    /// <summary>
    /// Throws <see cref="OperationCanceledException"/> once the current deadline has passed. It reads the clock itself rather than
    /// waiting for the source's timer: that timer fires on the thread pool, which busy parallel work can keep from it for seconds
    /// (a 10 s search stopped after 12-14 s while the test suite ran).
    /// </summary>
    public static void ThrowIfExpired()
    {
        if (Ambient.Value is not { } scope)
        {
            return;
        }

        if (!scope.Source.IsCancellationRequested && scope.Limit >= TimeSpan.Zero && scope.Clock.GetElapsedTime(scope.Started) >= scope.Limit)
        {
            scope.Source.Cancel();
        }

        scope.Source.Token.ThrowIfCancellationRequested();
    }

    private sealed class Scope(Scope? previous, CancellationTokenSource source, TimeProvider clock, long started, TimeSpan limit) : IDisposable
    {
        public CancellationTokenSource Source { get; } = source;

        public TimeProvider Clock { get; } = clock;

        public long Started { get; } = started;

        public TimeSpan Limit { get; } = limit;

        public void Dispose() => Ambient.Value = previous;
    }
}
