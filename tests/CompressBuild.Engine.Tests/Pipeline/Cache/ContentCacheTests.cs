using CompressBuild.Engine.Pipeline.Cache;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Cache;

[Collection(ProcessEnvironmentCollection.Name)]
public sealed class ContentCacheTests : IDisposable
{
    private const string Key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_stored_entry_is_found_with_the_same_bytes()
    {
        var cache = new ContentCache(temp.File("cache"));
        File.WriteAllBytes(temp.File("model.onnx"), [1, 2, 3]);
        File.WriteAllText(temp.File("result.json"), "{}");

        Assert.Null(cache.TryGet(Key, out var corruptBefore));
        cache.Put(Key, [new("model.onnx", temp.File("model.onnx")), new("result.json", temp.File("result.json"))]);
        var entry = cache.TryGet(Key, out var corrupt);

        Assert.False(corruptBefore);
        Assert.False(corrupt);
        Assert.NotNull(entry);
        Assert.Equal(["model.onnx", "result.json"], entry.Files);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(entry.PathOf("model.onnx")));
        Assert.Empty(Directory.GetDirectories(Path.Combine(cache.Root, "v1", "staging")));
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("delete")]
    [InlineData("manifest")]
    public void A_damaged_entry_is_reported_corrupt_removed_and_can_be_stored_again(string damage)
    {
        var cache = new ContentCache(temp.File("cache"));
        File.WriteAllBytes(temp.File("model.onnx"), [1, 2, 3, 4]);
        var entry = cache.Put(Key, [new("model.onnx", temp.File("model.onnx"))]);
        var file = entry.PathOf("model.onnx");
        switch (damage)
        {
            case "flip": File.WriteAllBytes(file, [1, 2, 3, 5]); break;
            case "truncate": File.WriteAllBytes(file, [1, 2]); break;
            case "delete": File.Delete(file); break;
            default: File.WriteAllText(entry.PathOf("manifest.json"), "{ not json"); break;
        }

        Assert.Null(cache.TryGet(Key, out var corrupt));
        Assert.True(corrupt);
        Assert.False(Directory.Exists(entry.Folder));
        Assert.NotNull(cache.Put(Key, [new("model.onnx", temp.File("model.onnx"))]));
        Assert.NotNull(cache.TryGet(Key, out _));
    }

    [Fact]
    public void Concurrent_writers_of_one_key_leave_one_whole_entry()
    {
        var cache = new ContentCache(temp.File("cache"));
        var payload = Enumerable.Range(0, 1 << 20).Select(i => (byte)i).ToArray();
        File.WriteAllBytes(temp.File("big.bin"), payload);

        Parallel.For(0, 8, _ => Assert.NotNull(cache.Put(Key, [new("big.bin", temp.File("big.bin"))])));

        var entry = cache.TryGet(Key, out var corrupt);
        Assert.False(corrupt);
        Assert.Equal(payload, File.ReadAllBytes(entry!.PathOf("big.bin")));
        Assert.Single(Directory.GetDirectories(Path.Combine(cache.Root, "v1", Key[..2])));
    }

    [Fact]
    public void The_environment_variable_chooses_the_cache_when_no_folder_is_given()
    {
        var before = Environment.GetEnvironmentVariable(ContentCache.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(ContentCache.EnvironmentVariable, temp.File("from-env"));
            Assert.Equal(temp.File("from-env"), ContentCache.Open().Root);
            Assert.Equal(temp.File("explicit"), ContentCache.Open(temp.File("explicit")).Root);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ContentCache.EnvironmentVariable, before);
        }
    }
}
