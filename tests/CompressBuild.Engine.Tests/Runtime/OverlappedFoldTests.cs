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
        var runs = new List<Run>();
        var pipeline = new OverlappedFold<Run>();
        try
        {
            for (var i = 0; i < 50; i++)
            {
                var run = new Run(i, () => Interlocked.Decrement(ref alive));
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
        var pipeline = new OverlappedFold<Run>();
        var first = new Run(0, () => { });
        var second = new Run(1, () => { });
        pipeline.Next(first, _ => throw new InvalidOperationException("fold failed"));

        var error = Assert.Throws<InvalidOperationException>(() => pipeline.Next(second, _ => { }));

        Assert.Equal("fold failed", error.Message);
        Assert.True(first.Disposed);
        Assert.True(second.Disposed);
        pipeline.Drain();
    }

    private sealed class Run(int index, Action freed) : IDisposable
    {
        public int Index { get; } = index;

        public bool Disposed { get; private set; }

        public void Dispose()
        {
            Assert.False(Disposed, $"run {Index} was freed twice");
            Disposed = true;
            freed();
        }
    }
}
