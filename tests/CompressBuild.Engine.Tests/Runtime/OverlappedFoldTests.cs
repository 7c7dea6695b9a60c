using CompressBuild.Engine.Runtime;
using Xunit;

namespace CompressBuild.Engine.Tests.Runtime;

public class OverlappedFoldTests
{
    /// <summary>One part and a window of one is calibration's pipeline; three parts and two the reconstruction capture's.</summary>
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    public void Each_part_folds_the_runs_in_the_order_given_with_at_most_window_plus_one_runs_alive_and_every_run_freed(int parts, int window)
    {
        var order = Enumerable.Range(0, parts).Select(_ => new List<int>()).ToArray();
        var alive = 0;
        var mostAlive = 0;
        var runs = new List<FoldedRun>();
        var pipeline = new OverlappedFold<FoldedRun>(parts, window);
        try
        {
            for (var i = 0; i < 60; i++)
            {
                var run = new FoldedRun(i, () => Interlocked.Decrement(ref alive));
                mostAlive = Math.Max(mostAlive, Interlocked.Increment(ref alive));
                runs.Add(run);
                pipeline.Next(run, (r, part) =>
                {
                    Thread.Sleep((r.Index + part) % 3);
                    Assert.False(r.Disposed, $"run {r.Index} was freed before part {part} folded it");
                    lock (order)
                    {
                        order[part].Add(r.Index);
                    }
                });
            }
        }
        finally
        {
            pipeline.Drain();
        }

        Assert.All(order, folded => Assert.Equal(Enumerable.Range(0, 60), folded));
        Assert.Equal(window + 1, mostAlive);
        Assert.All(runs, r => Assert.True(r.Disposed, $"run {r.Index} was not freed"));
    }

    /// <summary>The point of folding by parts: a fast part goes on to the next run while a slow part of the previous run still folds.</summary>
    [Fact]
    public void A_part_folds_the_next_run_while_another_part_still_folds_the_previous_one()
    {
        using var nextRunFolded = new ManualResetEventSlim();
        var pipeline = new OverlappedFold<FoldedRun>(2, 2);
        var waited = false;
        try
        {
            pipeline.Next(new FoldedRun(0, () => { }), (r, part) =>
            {
                if (part == 0)
                {
                    // Part 0 of run 0 finishes only once part 1 has folded run 1 (a fold per run would wait here for ever: the timeout fails it).
                    waited = nextRunFolded.Wait(TimeSpan.FromSeconds(20));
                }
            });
            pipeline.Next(new FoldedRun(1, () => { }), (r, part) =>
            {
                if (part == 1)
                {
                    nextRunFolded.Set();
                }
            });
        }
        finally
        {
            pipeline.Drain();
        }

        Assert.True(waited, "part 1 did not fold run 1 while part 0 was still folding run 0");
    }

    [Fact]
    public void A_fold_that_throws_surfaces_once_after_every_part_of_every_run_is_done_and_every_run_is_freed()
    {
        var pipeline = new OverlappedFold<FoldedRun>(2, 1);
        var runs = new[] { new FoldedRun(0, () => { }), new FoldedRun(1, () => { }), new FoldedRun(2, () => { }) };
        var slowPartDone = false;
        pipeline.Next(runs[0], (r, part) =>
        {
            if (part == 0)
            {
                throw new InvalidOperationException("fold failed");
            }

            Thread.Sleep(200);
            // The failure of part 0 must not free the run while this part still reads it.
            Assert.False(r.Disposed);
            slowPartDone = true;
        });

        var error = Assert.Throws<InvalidOperationException>(() => pipeline.Next(runs[1], (_, _) => { }));

        Assert.Equal("fold failed", error.Message);
        Assert.True(slowPartDone, "run 0 was freed before its slow part was done");
        Assert.True(runs[0].Disposed);
        Assert.True(runs[1].Disposed);
        pipeline.Drain();
    }

    [Fact]
    public void A_failure_in_an_earlier_run_fails_that_part_of_the_later_runs_without_folding_them_and_drain_rethrows_it()
    {
        var pipeline = new OverlappedFold<FoldedRun>(2, 3);
        var runs = Enumerable.Range(0, 3).Select(i => new FoldedRun(i, () => { })).ToArray();
        var folded = new List<(int Run, int Part)>();
        foreach (var run in runs)
        {
            pipeline.Next(run, (r, part) =>
            {
                if (r.Index == 0 && part == 1)
                {
                    throw new InvalidOperationException("fold failed");
                }

                lock (folded)
                {
                    folded.Add((r.Index, part));
                }
            });
        }

        var error = Assert.Throws<InvalidOperationException>(pipeline.Drain);

        Assert.Equal("fold failed", error.Message);
        Assert.DoesNotContain(folded, f => f.Part == 1);
        Assert.Equal([(0, 0), (1, 0), (2, 0)], folded.Order());
        Assert.All(runs, r => Assert.True(r.Disposed, $"run {r.Index} was not freed"));
    }

    [Fact]
    public void Abandon_waits_for_every_fold_and_frees_every_run_without_raising_a_folds_failure()
    {
        var pipeline = new OverlappedFold<FoldedRun>(2, 2);
        var runs = Enumerable.Range(0, 2).Select(i => new FoldedRun(i, () => { })).ToArray();
        var slowPartsDone = 0;
        foreach (var run in runs)
        {
            pipeline.Next(run, (r, part) =>
            {
                if (r.Index == 0 && part == 0)
                {
                    throw new InvalidOperationException("fold failed");
                }

                Thread.Sleep(100);
                Assert.False(r.Disposed);
                Interlocked.Increment(ref slowPartsDone);
            });
        }

        pipeline.Abandon();

        Assert.Equal(2, slowPartsDone);
        Assert.All(runs, r => Assert.True(r.Disposed, $"run {r.Index} was not freed"));
        pipeline.Drain();
    }
}
