using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Pipeline.Cache;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Cache;

public sealed class CacheHousekeepingTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Pruning_evicts_the_least_recently_used_entries_first_until_the_cache_fits()
    {
        var cache = new ContentCache(temp.File("cache"));
        var keys = Enumerable.Range(0, 4).Select(i => new string((char)('a' + i), 64)).ToList();
        foreach (var key in keys)
        {
            cache.Put(key, [new("blob.bin", Blob(key, 1000))]);
        }

        // Oldest writes first; then a hit makes the first entry the most recently used.
        for (var i = 0; i < keys.Count; i++)
        {
            Directory.SetLastWriteTimeUtc(cache.Entries().Single(e => e.Key == keys[i]).Folder, DateTime.UtcNow.AddHours(i - 10));
        }

        Assert.NotNull(cache.TryGet(keys[0], out _));

        var before = CacheHousekeeping.Statistics(cache);
        var result = CacheHousekeeping.Prune(cache, before.Bytes / 2);

        Assert.Equal(4, before.Entries);
        Assert.Equal(2, result.Removed);
        Assert.Equal([keys[0], keys[3]], cache.Entries().Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.True(result.BytesLeft <= before.Bytes / 2);
        Assert.Equal(before.Bytes - result.FreedBytes, result.BytesLeft);
    }

    [Fact]
    public void Clear_removes_every_entry()
    {
        var cache = new ContentCache(temp.File("cache"));
        cache.Put(new string('c', 64), [new("blob.bin", Blob("c", 10))]);

        cache.Clear();

        Assert.Empty(cache.Entries());
        Assert.Null(cache.TryGet(new string('c', 64), out _));
    }

    [Theory]
    [InlineData("500MB", 500L << 20)]
    [InlineData("10GB", 10L << 30)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("1.5G", 3L << 29)]
    [InlineData("4096", 4096L)]
    public void Sizes_are_read_in_powers_of_1024(string text, long bytes) => Assert.Equal(bytes, CacheSettings.ParseSize(text));

    [Theory]
    [InlineData("ten")]
    [InlineData("-5GB")]
    [InlineData("5XB")]
    public void A_size_that_is_not_one_is_CB3030(string text) =>
        Assert.Equal(DiagnosticCodes.CacheSettingInvalid, Assert.Throws<CompressBuildException>(() => CacheSettings.ParseSize(text)).Code);

    [Fact]
    public void Options_win_over_the_environment_which_wins_over_the_defaults()
    {
        var environment = new Dictionary<string, string> { [CacheSettings.UrlVariable] = "s3://env/x", [CacheSettings.ModeVariable] = "read", [CacheSettings.MaxSizeVariable] = "1GB" };

        var fromEnvironment = CacheSettings.Resolve(null, null, null, n => environment.GetValueOrDefault(n));
        var fromOptions = CacheSettings.Resolve("s3://option/y", "readwrite", "2GB", n => environment.GetValueOrDefault(n));
        var defaults = CacheSettings.Resolve(null, null, null, _ => null);

        Assert.Equal(new CacheSettings("s3://env/x", CacheMode.Read, null, 1L << 30), fromEnvironment);
        Assert.Equal(new CacheSettings("s3://option/y", CacheMode.ReadWrite, null, 2L << 30), fromOptions);
        Assert.Equal(CacheSettings.None, defaults);
    }

    private string Blob(string name, int length)
    {
        var path = temp.File(name + ".bin");
        File.WriteAllBytes(path, Enumerable.Range(0, length).Select(i => (byte)(i * 7 + name[0])).ToArray());
        return path;
    }
}
