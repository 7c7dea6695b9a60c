using System.Diagnostics;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Harness;

/// <summary>The tests' one child-process launcher (tests/Shared/ChildProcess.cs), on real /bin/sh children.</summary>
public sealed class ChildProcessTests
{
    [Fact]
    public void Both_streams_are_kept_exactly_and_their_lines_interleaved_in_arrival_order()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var run = ChildProcess.Run("/bin/sh", ["-c", "echo out1; sleep 0.2; echo err1 >&2; sleep 0.2; printf 'tail'"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("out1\ntail", run.StandardOutput);
        Assert.Equal("err1\n", run.StandardError);
        Assert.Equal(["out1", "err1", "tail"], run.Lines.Select(l => l.Text));
        Assert.Equal("out1\nerr1\ntail\n", run.Output);
        Assert.True(run.Lines[2].At > run.Lines[0].At);
    }

    /// <summary>Every pool thread held (as a test's parallel folds can hold them) while the child writes: its lines still come in arrival order.</summary>
    [Fact]
    public async Task Lines_keep_their_arrival_order_while_the_thread_pool_is_busy()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var gate = new ManualResetEventSlim();
        ThreadPool.GetMinThreads(out var workers, out _);
        var held = Enumerable.Range(0, Math.Max(workers, Environment.ProcessorCount) * 2).Select(_ => Task.Run(gate.Wait)).ToArray();
        ChildRun run;
        try
        {
            using var child = ChildProcess.Start("/bin/sh", ["-c", "echo out1; sleep 0.3; echo err1 >&2; sleep 0.3; echo out2; sleep 0.3; echo err2 >&2"]);
            while (!child.HasExited)
            {
                Thread.Sleep(50);
            }

            gate.Set();
            run = await child.Completion;
        }
        finally
        {
            gate.Set();
            await Task.WhenAll(held);
        }

        Assert.Equal(["out1", "err1", "out2", "err2"], run.Lines.Select(l => l.Text));
    }

    [Fact]
    public void Arguments_reach_the_child_verbatim_and_environment_changes_set_and_remove_variables()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var options = new ChildOptions { Environment = new Dictionary<string, string?> { ["CB_CHILD_TEST"] = "set here", ["HOME"] = null } };

        var run = ChildProcess.Run("/bin/sh", ["-c", "printf '%s|' \"$@\" \"$CB_CHILD_TEST\" \"${HOME-unset}\"", "sh", "a b", "c\"d", "$x"], options);

        Assert.Equal("a b|c\"d|$x|set here|unset|", run.StandardOutput);
    }

    [Fact]
    public void A_child_past_its_timeout_is_killed_with_its_own_children_and_marked_timed_out()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var clock = Stopwatch.StartNew();

        var run = ChildProcess.Run("/bin/sh", ["-c", "echo started; sleep 60 & wait"], new ChildOptions { Timeout = TimeSpan.FromSeconds(1) });

        Assert.True(run.TimedOut);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), clock.Elapsed.ToString());
        Assert.Equal("started\n", run.StandardOutput);
        Assert.Throws<InvalidOperationException>(() => run.Succeeded());
    }
}
