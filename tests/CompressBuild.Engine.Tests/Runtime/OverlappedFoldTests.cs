using CompressBuild.Engine.Runtime;
using Xunit;

namespace CompressBuild.Engine.Tests.Runtime;

public class OverlappedFoldTests
{
    [Fact]
    public void Folds_run_in_the_order_given_with_at_most_two_runs_alive_and_every_run_freed()
    {
        var order = new List<int>();
        var alive = 0;
        var mostAlive = 0;
        var runs = new List<FoldedRun>();
        var pipeline = new OverlappedFold<FoldedRun>();
        try
        {
            for (var i = 0; i < 50; i++)
            {
                var run = new FoldedRun(i, () => Interlocked.Decrement(ref alive));
                mostAlive = Math.Max(mostAlive, Interlocked.Increment(ref alive));
                runs.Add(run);
                pipeline.Next(run, r =>
                {
                    Thread.Sleep(r.Index % 3);
                    Assert.False(r.Disposed, $"run {r.Index} was freed before its fold");
                    lock (order)
                    {
                        order.Add(r.Index);
                    }
                });
            }
        }
        finally
        {
            pipeline.Drain();
        }

        Assert.Equal(Enumerable.Range(0, 50), order);
        Assert.Equal(2, mostAlive);
        Assert.All(runs, r => Assert.True(r.Disposed, $"run {r.Index} was not freed"));
    }

    [Fact]
    public void A_fold_that_throws_surfaces_at_the_next_run_and_frees_both_runs()
    {
        var pipeline = new OverlappedFold<FoldedRun>();
        var first = new FoldedRun(0, () => { });
        var second = new FoldedRun(1, () => { });
        pipeline.Next(first, _ => throw new InvalidOperationException("fold failed"));

        var error = Assert.Throws<InvalidOperationException>(() => pipeline.Next(second, _ => { }));

        Assert.Equal("fold failed", error.Message);
        Assert.True(first.Disposed);
        Assert.True(second.Disposed);
        pipeline.Drain();
    }
}
