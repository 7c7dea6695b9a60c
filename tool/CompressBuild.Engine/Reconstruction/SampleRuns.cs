namespace CompressBuild.Engine.Reconstruction;

/// <summary>One sample's runs in a capture stage: the working model's and, with a teacher, the teacher's; freed together once folded.</summary>
internal sealed class SampleRuns(StageValues working, StageValues? teacher) : IDisposable
{
    public StageValues Working { get; } = working;

    public StageValues? Teacher { get; } = teacher;

    public void Dispose()
    {
        Working.Dispose();
        Teacher?.Dispose();
    }
}
