namespace CompressBuild.Tool.Commands;

internal sealed record RunOptions(string Config, IReadOnlyList<string> Models, string? ReportDir, bool Json, bool NoCache, string? CacheDir, bool UpdateBaseline, int Threads);
