namespace CompressBuild.Engine.Diagnostics;

/// <summary>
/// The cancellation a long run is under, ambient so the loops deep inside a trial (calibration, comparison over
/// the evaluation data, latency sampling, sensitivity probes) can stop a search at its timeout without every
/// signature in between carrying a token. A search enters it; the loops call <see cref="ThrowIfExpired"/>.
/// </summary>
public static class Deadline
{
    private static readonly AsyncLocal<CancellationToken> Token = new();

    public static CancellationToken Current => Token.Value;

    /// <summary>Runs the caller's scope under <paramref name="token"/>; disposing restores the enclosing one.</summary>
    public static IDisposable Enter(CancellationToken token)
    {
        var previous = Token.Value;
        Token.Value = token;
        return new Scope(previous);
    }

    /// <summary>Throws <see cref="OperationCanceledException"/> once the current deadline has passed.</summary>
    public static void ThrowIfExpired() => Token.Value.ThrowIfCancellationRequested();

    private sealed class Scope(CancellationToken previous) : IDisposable
    {
        public void Dispose() => Token.Value = previous;
    }
}
