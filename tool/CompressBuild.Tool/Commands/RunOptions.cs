namespace CompressBuild.Tool.Commands;

internal sealed record RunOptions(string Config, IReadOnlyList<string> Models, string? ReportDir, bool Json, bool NoCache, string? CacheDir, bool UpdateBaseline, int Threads)
{
    /// <summary>What the MSBuild integration passes (<c>--model-file</c>, <c>--message-format json-lines</c>, ...).</summary>
    public RunBuildOptions Build { get; init; } = RunBuildOptions.None;

    /// <summary><c>--cache-url</c>, <c>--cache-mode</c>, <c>--cache-max-size</c> as given (the environment fills the rest).</summary>
    public CacheArguments Cache { get; init; } = CacheArguments.None;
}
