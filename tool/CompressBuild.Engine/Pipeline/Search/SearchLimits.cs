namespace CompressBuild.Engine.Pipeline.Search;

public sealed record SearchLimits(int MaxTrials, TimeSpan Timeout)
{
    public static SearchLimits Default { get; } = new(12, TimeSpan.FromMinutes(10));
}
