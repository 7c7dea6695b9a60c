using System.CommandLine;

namespace CompressBuild.Tool.Commands;

/// <summary><c>dotnet compress cache stats|prune|clear</c>: housekeeping of the local content-addressed cache.</summary>
internal static class CacheCommand
{
    public static Command Create(CliContext context) => new("cache", "Show, trim or empty the local cache (the remote one is kept by the storage service's own lifecycle rules).")
    {
        CacheStatsCommand.Create(context),
        CachePruneCommand.Create(context),
        CacheClearCommand.Create(context),
    };

    /// <summary>The option every cache command takes: which local cache.</summary>
    public static Option<string?> DirectoryOption() =>
        new("--cache-dir") { Description = "The cache folder (default: $COMPRESSBUILD_CACHE or the user's cache folder)." };
}
