using System.CommandLine;
using System.Globalization;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Pipeline.Cache;
using CompressBuild.Tool.Rendering;

namespace CompressBuild.Tool.Commands;

/// <summary><c>dotnet compress cache stats</c>: where the local cache is, how many entries and bytes it holds, which remote is configured.</summary>
internal static class CacheStatsCommand
{
    public static Command Create(CliContext context)
    {
        var cacheDir = CacheCommand.DirectoryOption();
        var json = new Option<bool>("--json") { Description = "Write the statistics as JSON to stdout." };
        var command = new Command("stats", "Show the local cache's folder, entries, size and last use, and the remote cache configured by the environment.") { cacheDir, json };
        command.SetAction(parse => Run(context, parse.GetValue(cacheDir), parse.GetValue(json)));
        return command;
    }

    public static int Run(CliContext context, string? cacheDir, bool json)
    {
        var stats = CacheHousekeeping.Statistics(ContentCache.Open(cacheDir));
        var settings = CacheSettings.Resolve(null, null, null, Environment.GetEnvironmentVariable);
        if (json)
        {
            JsonOutput.Write(context.Out, new
            {
                root = stats.Root,
                entries = stats.Entries,
                bytes = stats.Bytes,
                oldestUse = stats.OldestUseUtc,
                newestUse = stats.NewestUseUtc,
                maxSizeBytes = settings.MaxSizeBytes,
                remote = settings.Url is null ? null : new { url = RedactedUrl(settings.Url), mode = settings.Mode == CacheMode.Read ? "read" : "readwrite" },
            });
            return ExitCodes.Ok;
        }

        var o = context.Out;
        o.WriteLine($"Cache      {stats.Root}");
        o.WriteLine($"Entries    {stats.Entries}");
        o.WriteLine($"Size       {Units.Bytes(stats.Bytes)}{(settings.MaxSizeBytes is { } max ? $" (limit {Units.Bytes(max)})" : "")}");
        if (stats.OldestUseUtc is { } oldest && stats.NewestUseUtc is { } newest)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Last used  {oldest:yyyy-MM-dd HH:mm} .. {newest:yyyy-MM-dd HH:mm} UTC"));
        }

        o.WriteLine(settings.Url is null ? "Remote     none" : $"Remote     {RedactedUrl(settings.Url)} ({(settings.Mode == CacheMode.Read ? "read only" : "read and write")})");
        return ExitCodes.Ok;
    }

    /// <summary>A SAS token in the URL is a secret.</summary>
    private static string RedactedUrl(string url) => url.Split('?', 2)[0];
}
