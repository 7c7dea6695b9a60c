using Xunit;

namespace CompressBuild.Engine.Tests.Runtime;

/// <summary>A run's outputs for the fold pipelines' tests: knows whether it was freed, and fails a second free.</summary>
internal sealed class FoldedRun(int index, Action freed) : IDisposable
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
