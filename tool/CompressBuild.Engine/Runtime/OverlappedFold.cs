namespace CompressBuild.Engine.Runtime;

/// <summary>
/// Folds each run's outputs on pool threads while the caller runs the next input (calibration: one part; the reconstruction capture: one
/// part per layer). Part k of run i starts once part k of run i - 1 is done, so every part sees the runs in the order given and what it
/// sums does not depend on scheduling; but a part does not wait for the other parts of the previous run (with one fold per run, the
/// capture's next sample waited for the previous one's slowest layer while the other core idled). At most <see cref="Window"/> runs are
/// folding while the caller runs the next, so at most <see cref="Window"/> + 1 runs' outputs are alive.
/// </summary>
/// <typeparam name="T">A run's outputs, freed once every part of its fold is done.</typeparam>
internal sealed class OverlappedFold<T>
    where T : class, IDisposable
{
    private readonly Task[] last;
    private readonly Queue<(Task Done, T Outputs)> folding = new();

    public OverlappedFold(int parts = 1, int window = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        last = Enumerable.Repeat(Task.CompletedTask, parts).ToArray();
        Window = window;
    }

    /// <summary>Runs folding at once, besides the one the caller computes.</summary>
    public int Window { get; }

    /// <summary>
    /// Waits (rethrowing what a fold threw) until fewer than <see cref="Window"/> runs are folding, freeing the ones done, then folds
    /// <paramref name="outputs"/> part by part. Where the wait throws, <paramref name="outputs"/> is freed too.
    /// </summary>
    public void Next(T outputs, Action<T, int> fold)
    {
        try
        {
            while (folding.Count >= Window)
            {
                Complete(folding.Dequeue());
            }
        }
        catch
        {
            outputs.Dispose();
            throw;
        }

        var parts = new Task[last.Length];
        for (var k = 0; k < last.Length; k++)
        {
            var part = k;
            // A part whose fold of an earlier run failed fails too, without reading: the failure surfaces once, at the oldest run.
            parts[k] = last[k] = last[k].ContinueWith(
                previous =>
                {
                    previous.GetAwaiter().GetResult();
                    fold(outputs, part);
                },
                CancellationToken.None, TaskContinuationOptions.DenyChildAttach, TaskScheduler.Default);
        }

        folding.Enqueue((Task.WhenAll(parts), outputs));
    }

    /// <summary>Waits for every fold and frees every run's outputs, then rethrows the first failure; call it after the last <see cref="Next"/>
    /// (and <see cref="Abandon"/> where the caller fails before that).</summary>
    public void Drain()
    {
        if (Settle() is { } first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
    }

    /// <summary>
    /// Waits for every fold and frees every run's outputs, leaving the folds' failures unsaid: for a caller whose own error (ONNX Runtime's, an
    /// expired deadline) is already on its way out, which <see cref="Drain"/> in a finally would replace with a fold's.
    /// </summary>
    public void Abandon() => _ = Settle();

    /// <returns>The first failure among the runs still folding, once every one of them is done and freed.</returns>
    private Exception? Settle()
    {
        Exception? first = null;
        while (folding.Count > 0)
        {
            try
            {
                Complete(folding.Dequeue());
            }
            catch (Exception error)
            {
                first ??= error;
            }
        }

        return first;
    }

    /// <summary>Waits for every part of one run (all of them, even after one failed: the others still read its outputs), then frees it.</summary>
    private static void Complete((Task Done, T Outputs) run)
    {
        try
        {
            run.Done.GetAwaiter().GetResult();
        }
        finally
        {
            run.Outputs.Dispose();
        }
    }
}
