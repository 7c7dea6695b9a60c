namespace CompressBuild.Engine.Pipeline;

/// <summary>How <c>dotnet compress run</c> (or the MSBuild task) runs a compress.yaml.</summary>
/// <param name="ModelNames">Run only these models (by name); empty runs all.</param>
/// <param name="CacheDirectory">The cache folder; null uses <c>COMPRESSBUILD_CACHE</c> or the user's cache folder.</param>
/// <param name="Threads">Intra-op threads for verification (1 keeps latency comparable between runs).</param>
public sealed record PipelineOptions
{
    public IReadOnlyList<string> ModelNames { get; init; } = [];

    public string? ReportDirectory { get; init; }

    public bool UseCache { get; init; } = true;

    public string? CacheDirectory { get; init; }

    public bool UpdateBaseline { get; init; }

    public int Threads { get; init; } = 1;

    /// <summary>Called with one line per step (model started, trial finished, cache hit), for progress display.</summary>
    public Action<PipelineEvent>? Progress { get; init; }
}
