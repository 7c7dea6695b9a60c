namespace CompressBuild.Tool.Commands;

/// <summary>
/// The <c>run</c> options the MSBuild integration passes (one model per process, its output in obj/, JSON-line
/// messages, dependencies for incremental builds, baselines for packing and for release regression checks).
/// </summary>
internal sealed record RunBuildOptions
{
    public static RunBuildOptions None { get; } = new();

    public string? ModelFile { get; init; }

    public string? Output { get; init; }

    /// <summary>Raw <c>--origin</c> text; parsed inside the run so a malformed one is reported like any other error.</summary>
    public string? Origin { get; init; }

    public bool JsonLines { get; init; }

    public bool MissesAsWarnings { get; init; }

    public string? DependenciesFile { get; init; }

    public string? RecordBaseline { get; init; }

    public string? BaselinePackage { get; init; }

    public string? BaselineFeed { get; init; }

    public string? BaselineBefore { get; init; }
}
