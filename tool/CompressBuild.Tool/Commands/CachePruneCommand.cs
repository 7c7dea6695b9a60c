using System.CommandLine;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Pipeline.Cache;
using CompressBuild.Tool.Rendering;

namespace CompressBuild.Tool.Commands;

/// <summary><c>dotnet compress cache prune --max-size 10GB</c>: evicts least recently used entries down to a size.</summary>
internal static class CachePruneCommand
{
    public static Command Create(CliContext context)
    {
        var cacheDir = CacheCommand.DirectoryOption();
        var maxSize = new Option<string?>("--max-size") { Description = $"Keep at most this much, e.g. 10GB or 500MB (default: ${CacheSettings.MaxSizeVariable})." };
        var json = new Option<bool>("--json") { Description = "Write the result as JSON to stdout." };
        var command = new Command("prune", "Remove the least recently used entries of the local cache until it fits --max-size.") { cacheDir, maxSize, json };
        command.SetAction(parse => Run(context, parse.GetValue(cacheDir), parse.GetValue(maxSize), parse.GetValue(json)));
        return command;
    }

    public static int Run(CliContext context, string? cacheDir, string? maxSize, bool json)
    {
        var limit = CacheSettings.Resolve(null, null, maxSize, Environment.GetEnvironmentVariable).MaxSizeBytes
            ?? throw new CompressBuildException(DiagnosticCodes.CacheSettingInvalid, $"cache prune needs a size: pass --max-size (e.g. 10GB) or set {CacheSettings.MaxSizeVariable}.");
        var result = CacheHousekeeping.Prune(ContentCache.Open(cacheDir), limit);
        if (json)
        {
            JsonOutput.Write(context.Out, new { removed = result.Removed, freedBytes = result.FreedBytes, entries = result.EntriesLeft, bytes = result.BytesLeft });
        }
        else
        {
            context.Out.WriteLine($"Removed {result.Removed} entries ({Units.Bytes(result.FreedBytes)}); {result.EntriesLeft} left ({Units.Bytes(result.BytesLeft)}, limit {Units.Bytes(limit)}).");
        }

        return ExitCodes.Ok;
    }
}
