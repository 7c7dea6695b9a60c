namespace CompressBuild.Tool.Commands;

internal sealed record RunOptions(string Config, IReadOnlyList<string> Models, string? ReportDir, bool Json, bool NoCache, string? CacheDir, bool UpdateBaseline, int Threads)
{
    /// <summary>What the MSBuild integration passes (<c>--model-file</c>, <c>--message-format json-lines</c>, ...).</summary>
    public RunBuildOptions Build { get; init; } = RunBuildOptions.None;

    /// <summary>Whether --threads was on the command line (it then wins over compress.yaml's runtime.threads).</summary>
    public bool ThreadsGiven { get; init; }
    /// <summary>How each verification samples latency (<c>--max-time</c>, <c>--warmup</c>, <c>--ci-width</c>).</summary>
    public CompressBuild.Engine.Evaluation.LatencyOptions Latency { get; init; } = new();

    /// <summary><c>--cache-url</c>, <c>--cache-mode</c>, <c>--cache-max-size</c> as given (the environment fills the rest).</summary>
    public CacheArguments Cache { get; init; } = CacheArguments.None;
}
