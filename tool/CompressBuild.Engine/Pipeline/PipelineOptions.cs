using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Pipeline.Cache;

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

    /// <summary>The remote cache (URL, mode, endpoint) and the local size limit.</summary>
    public CacheSettings Cache { get; init; } = CacheSettings.None;

    /// <summary>Where the remote store's credentials are read from (connection strings, AWS keys); the process environment by default.</summary>
    public Func<string, string?> CacheEnvironment { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Retries and timeouts of the remote cache.</summary>
    public RemoteCacheLimits CacheLimits { get; init; } = RemoteCacheLimits.Default;

    public bool UpdateBaseline { get; init; }

    public int Threads { get; init; } = 1;

    /// <summary>How each verification samples latency (time cap, warm-up, target interval width).</summary>
    public LatencyOptions Latency { get; init; } = new();

    /// <summary>Run only the model whose resolved <c>path</c> is this file (the MSBuild item's); CB2108 when none is.</summary>
    public string? ModelFile { get; init; }

    /// <summary>Write the (single) selected model here instead of its configured <c>output</c>.</summary>
    public string? OutputOverride { get; init; }

    /// <summary>
    /// Budget misses do not fail the run: the shown candidate (the passing one, else the closest miss) is still
    /// written, and the misses are reported as warnings by the caller. Exit code 0.
    /// </summary>
    public bool MissesAsWarnings { get; init; }

    /// <summary>Records every input file the run reads (for <c>--dependencies-file</c>).</summary>
    public DependencyCollector? Dependencies { get; init; }

    /// <summary>Write this run's baseline entries for the selected models here (when every budget holds, or misses are warnings).</summary>
    public string? RecordBaseline { get; init; }

    /// <summary>The last release's baselines, held against each model as well as the config's baseline.</summary>
    public ReleaseBaseline? Release { get; init; }

    /// <summary>Called with one line per step (model started, trial finished, cache hit), for progress display.</summary>
    public Action<PipelineEvent>? Progress { get; init; }
}
