using System.CommandLine;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Pipeline.Cache;
using CompressBuild.Tool.Rendering;

namespace CompressBuild.Tool.Commands;

/// <summary><c>dotnet compress cache clear</c>: removes every entry of the local cache.</summary>
internal static class CacheClearCommand
{
    public static Command Create(CliContext context)
    {
        var cacheDir = CacheCommand.DirectoryOption();
        var command = new Command("clear", "Remove every entry of the local cache (the next runs compute, or fetch from the remote cache, again).") { cacheDir };
        command.SetAction(parse => Run(context, parse.GetValue(cacheDir)));
        return command;
    }

    public static int Run(CliContext context, string? cacheDir)
    {
        var cache = ContentCache.Open(cacheDir);
        var before = CacheHousekeeping.Statistics(cache);
        cache.Clear();
        context.Out.WriteLine($"Removed {before.Entries} entries ({Units.Bytes(before.Bytes)}) from {cache.Root}.");
        return ExitCodes.Ok;
    }
}
