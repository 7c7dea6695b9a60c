namespace CompressBuild.Engine.Runtime;

/// <summary>
/// Folds one run's outputs on a pool thread while the caller runs the next input (calibration; the reconstruction capture folds part by
/// part, <see cref="PartwiseFold{T}"/>): at most two runs' outputs are alive, and the folds run one after another in the order given, so
/// whatever they sum does not depend on scheduling.
/// </summary>
/// <typeparam name="T">A run's outputs, freed once their fold is done.</typeparam>
internal sealed class OverlappedFold<T>
    where T : class, IDisposable
{
    private Task folding = Task.CompletedTask;
    private T? folded;

    /// <summary>
    /// Waits for the previous fold (rethrowing what it threw) and frees its outputs, then folds <paramref name="outputs"/> on a pool
    /// thread. Where the wait throws, <paramref name="outputs"/> is freed too.
    /// </summary>
    public void Next(T outputs, Action<T> fold)
    {
        try
        {
            Drain();
        }
        catch
        {
            outputs.Dispose();
            throw;
        }

        folded = outputs;
        folding = Task.Run(() => fold(outputs));
    }

    /// <summary>Waits for the last fold (rethrowing what it threw) and frees its outputs; call it in a finally after the last <see cref="Next"/>.</summary>
    public void Drain()
    {
        try
        {
            folding.GetAwaiter().GetResult();
        }
        finally
        {
            folding = Task.CompletedTask;
            folded?.Dispose();
            folded = null;
        }
    }
}
