using System.Diagnostics;
using System.Text;

namespace CompressBuild.Testing;

/// <summary>
/// A started child process whose two output streams are being read concurrently (a child blocked on a full pipe
/// would never exit). <see cref="Completion"/> ends once it has exited and both streams are drained.
/// </summary>
internal sealed class RunningChild : IDisposable
{
    private readonly Process process;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<TimedLine> lines = [];
    private readonly StringBuilder interleaved = new();
    private readonly Action<string>? onLine;

    public RunningChild(ProcessStartInfo start, ChildOptions options)
    {
        onLine = options.OnLine;
        Command = string.Join(' ', [start.FileName, .. start.ArgumentList]);
        process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        // One dedicated thread per stream, blocked in its read: a line is stamped when it arrives, not when a pool thread is next free
        // (with pool-based async reads, tests that keep the pool busy, such as the capture's parallel folds, delayed a stream by over
        // 200 ms and reordered its lines). Task.Run and ConfigureAwait(false) elsewhere: no continuation may need the test's (bounded)
        // synchronization context.
        var stdout = Task.Factory.StartNew(() => Pump(process.StandardOutput), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var stderr = Task.Factory.StartNew(() => Pump(process.StandardError), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Completion = Task.Run(() => Complete(stdout, stderr, options.Timeout));
    }

    public string Command { get; }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public Task<ChildRun> Completion { get; }

    public ChildRun WaitForExit() => Completion.GetAwaiter().GetResult();

    /// <summary>Kills the child and everything it started.</summary>
    public void Kill()
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It had exited already.
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            Kill();
            process.WaitForExit();
        }

        process.Dispose();
    }

    private async Task<ChildRun> Complete(Task<string> stdout, Task<string> stderr, TimeSpan? timeout)
    {
        var timedOut = false;
        using (var limit = new CancellationTokenSource(timeout ?? Timeout.InfiniteTimeSpan))
        {
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                Kill();
                await process.WaitForExitAsync().ConfigureAwait(false);
            }
        }

        var (output, error) = (await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        lock (lines)
        {
            return new ChildRun(Command, process.ExitCode, output, error, interleaved.ToString()) { Lines = [.. lines], TimedOut = timedOut };
        }
    }

    /// <summary>Reads one stream to its end: its exact text, and its lines as they complete.</summary>
    private string Pump(StreamReader reader)
    {
        var exact = new StringBuilder();
        var line = new StringBuilder();
        var buffer = new char[8192];
        int read;
        while ((read = reader.Read(buffer)) > 0)
        {
            exact.Append(buffer, 0, read);
            foreach (var c in buffer.AsSpan(0, read))
            {
                if (c == '\n')
                {
                    AddLine(line);
                }
                else
                {
                    line.Append(c);
                }
            }
        }

        if (line.Length > 0)
        {
            AddLine(line);
        }

        return exact.ToString();
    }

    private void AddLine(StringBuilder line)
    {
        var text = line.ToString().TrimEnd('\r');
        line.Clear();
        lock (lines)
        {
            lines.Add(new TimedLine(clock.Elapsed, text));
            interleaved.Append(text).Append('\n');
        }

        onLine?.Invoke(text);
    }
}
