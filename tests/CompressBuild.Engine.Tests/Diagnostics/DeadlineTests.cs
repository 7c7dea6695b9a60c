using CompressBuild.Engine.Diagnostics;
using Xunit;

namespace CompressBuild.Engine.Tests.Diagnostics;

public sealed class DeadlineTests
{
    [Fact]
    public void A_check_past_the_limit_on_the_clock_throws_and_cancels_though_no_timer_has_fired()
    {
        // A source with no timer at all stands for one whose timer callback the busy thread pool has not run yet.
        using var source = new CancellationTokenSource();
        var clock = new ManualClock();

        using (Deadline.Enter(source, TimeSpan.FromSeconds(10), clock))
        {
            clock.Advance(TimeSpan.FromSeconds(9.9));
            Deadline.ThrowIfExpired();
            Assert.False(Deadline.Current.IsCancellationRequested);

            clock.Advance(TimeSpan.FromSeconds(0.1));
            Assert.Throws<OperationCanceledException>(Deadline.ThrowIfExpired);
            Assert.True(source.IsCancellationRequested);
            Assert.True(Deadline.Current.IsCancellationRequested);
        }

        Deadline.ThrowIfExpired();
        Assert.False(Deadline.Current.CanBeCanceled);
    }

    [Fact]
    public void An_infinite_limit_never_expires_and_a_nested_scope_restores_the_enclosing_one()
    {
        using var outer = new CancellationTokenSource();
        using var inner = new CancellationTokenSource();
        var clock = new ManualClock();

        using (Deadline.Enter(outer, Timeout.InfiniteTimeSpan, clock))
        {
            using (Deadline.Enter(inner, TimeSpan.FromSeconds(1), clock))
            {
                clock.Advance(TimeSpan.FromSeconds(2));
                Assert.Throws<OperationCanceledException>(Deadline.ThrowIfExpired);
            }

            clock.Advance(TimeSpan.FromDays(365));
            Deadline.ThrowIfExpired();
            Assert.Equal(outer.Token, Deadline.Current);
            Assert.False(outer.IsCancellationRequested);
        }
    }

    private sealed class ManualClock : TimeProvider
    {
        private long ticks;

        public void Advance(TimeSpan by) => ticks += by.Ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => ticks;
    }
}
