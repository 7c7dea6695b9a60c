using System.Text.Json.Nodes;
using CompressBuild.Engine.Pipeline.Cache;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tool.Tests.Commands;

public sealed class CacheCommandTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Stats_counts_the_entries_and_bytes_of_the_local_cache()
    {
        var cache = Filled(3, 1000);

        var run = CliRun.Of("cache", "stats", "--cache-dir", cache.Root, "--json");

        Assert.Equal(0, run.ExitCode);
        var json = JsonNode.Parse(run.Out)!;
        Assert.Equal(3, json["entries"]!.GetValue<int>());
        Assert.Equal(CacheHousekeeping.Statistics(cache).Bytes, json["bytes"]!.GetValue<long>());
        Assert.True(json["bytes"]!.GetValue<long>() > 3000);
    }

    [Fact]
    public void Prune_keeps_the_cache_within_max_size()
    {
        var cache = Filled(4, 100_000);

        var run = CliRun.Of("cache", "prune", "--cache-dir", cache.Root, "--max-size", "250KB");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("Removed 2 entries", run.Out, StringComparison.Ordinal);
        Assert.Equal(2, cache.Entries().Count);
        Assert.True(CacheHousekeeping.Statistics(cache).Bytes <= 250 * 1024);
    }

    [Fact]
    public void Prune_without_a_size_is_CB3030()
    {
        var run = CliRun.Of("cache", "prune", "--cache-dir", temp.File("empty"));

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("error CB3030: cache prune needs a size", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Clear_empties_the_local_cache()
    {
        var cache = Filled(2, 10);

        var run = CliRun.Of("cache", "clear", "--cache-dir", cache.Root);

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("Removed 2 entries", run.Out, StringComparison.Ordinal);
        Assert.Empty(cache.Entries());
    }

    private ContentCache Filled(int entries, int bytes)
    {
        var cache = new ContentCache(temp.File("cache"));
        for (var i = 0; i < entries; i++)
        {
            var file = temp.File($"blob{i}");
            File.WriteAllBytes(file, Enumerable.Range(0, bytes).Select(b => (byte)(b + i)).ToArray());
            cache.Put(new string((char)('a' + i), 64), [new("blob.bin", file)]);
        }

        return cache;
    }
}
