using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Pipeline.Cache;
using CompressBuild.Engine.Pipeline.Cache.Stores;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Cache;

/// <summary>
/// The remote layer against real services' emulators (Azurite for Azure Blob Storage, s3rver for S3), with a
/// real model file as entry content. Each "machine" is its own empty local cache folder.
/// </summary>
public sealed class RemoteCacheTests(StorageEmulators emulators) : IClassFixture<StorageEmulators>, IDisposable
{
    /// <summary>Short back-off so a refused connection costs well under a second; deadlines stay generous for the busy machine.</summary>
    internal static readonly RemoteCacheLimits TestLimits = new(1, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30), 1 << 20);

    private readonly TempFolder temp = new();
    private readonly string prefix = Guid.NewGuid().ToString("N")[..12];

    public void Dispose() => temp.Dispose();

    [StorageEmulatorTheory]
    [InlineData(StorageEmulatorKind.Azurite)]
    [InlineData(StorageEmulatorKind.S3rver)]
    public void A_miss_then_an_upload_then_a_restore_on_a_second_machine_with_identical_files_that_fills_its_local_cache(StorageEmulatorKind kind)
    {
        var emulator = emulators.Get(kind);
        var key = Key(1);
        using var first = Layered(emulator, "machine-a");

        var miss = first.TryGet(key, "requested");
        var (stored, upload) = first.Put(key, EntryFiles("trial 1"));

        Assert.Equal(CacheSource.Miss, miss.Source);
        Assert.NotNull(upload);
        Assert.True(upload.Bytes > new FileInfo(Model).Length);
        var objects = first.Remote!.ListObjects()!;
        Assert.Contains(RemoteCache.ManifestName(key), objects);
        Assert.Equal(3, objects.Count); // the manifest and the two files by content

        using var second = Layered(emulator, "machine-b");
        var hit = second.TryGet(key, "requested");
        var again = second.TryGet(key, "requested");

        Assert.Equal(CacheSource.Remote, hit.Source);
        Assert.NotNull(hit.Download);
        Assert.Equal(File.ReadAllBytes(stored.PathOf("model.onnx")), File.ReadAllBytes(hit.Entry!.PathOf("model.onnx")));
        Assert.Equal("trial 1", File.ReadAllText(hit.Entry.PathOf("trial.json")));
        Assert.Equal(CacheSource.Local, again.Source); // the remote hit filled the local cache
        Assert.Empty(first.Warnings);
        Assert.Empty(second.Warnings);
    }

    [StorageEmulatorTheory]
    [InlineData(StorageEmulatorKind.Azurite)]
    [InlineData(StorageEmulatorKind.S3rver)]
    public void A_corrupted_remote_blob_is_reported_as_CB4101_never_used_and_repaired_by_the_rebuild(StorageEmulatorKind kind)
    {
        var emulator = emulators.Get(kind);
        var key = Key(2);
        using (var writer = Layered(emulator, "writer"))
        {
            writer.Put(key, EntryFiles("trial 2"));
        }

        // Flip one byte of the model as stored remotely (same length, so only the hash can tell).
        var bytes = File.ReadAllBytes(Model);
        bytes[bytes.Length / 2] ^= 0xFF;
        var damaged = temp.File("damaged.onnx");
        File.WriteAllBytes(damaged, bytes);
        using (var store = CacheStoreFactory.Create(emulator.CacheUrl(prefix), Endpoint(emulator), Lookup(emulator), TestLimits))
        {
            store.UploadAsync(RemoteCache.ContentName(Sha256(Model)), damaged, CancellationToken.None).GetAwaiter().GetResult();
        }

        using var reader = Layered(emulator, "reader");
        var lookup = reader.TryGet(key, "requested");

        Assert.Equal(CacheSource.Miss, lookup.Source);
        var warning = Assert.Single(reader.Warnings);
        Assert.Equal(DiagnosticCodes.CacheEntryCorrupt, warning.Code);
        Assert.Contains("model.onnx does not match its SHA-256", warning.Message, StringComparison.Ordinal);
        Assert.Empty(reader.Local.Entries());

        // The reader computes the entry itself and uploads it, which replaces the damaged content.
        reader.Put(key, EntryFiles("trial 2 rebuilt"));
        using var third = Layered(emulator, "third");
        var repaired = third.TryGet(key, "requested");
        Assert.Equal(CacheSource.Remote, repaired.Source);
        Assert.Equal(File.ReadAllBytes(Model), File.ReadAllBytes(repaired.Entry!.PathOf("model.onnx")));
    }

    [StorageEmulatorTheory]
    [InlineData(StorageEmulatorKind.Azurite)]
    [InlineData(StorageEmulatorKind.S3rver)]
    public void Read_mode_uses_entries_others_wrote_but_never_writes(StorageEmulatorKind kind)
    {
        var emulator = emulators.Get(kind);
        using (var trusted = Layered(emulator, "trusted"))
        {
            trusted.Put(Key(3), EntryFiles("trial 3"));
        }

        using var untrusted = Layered(emulator, "untrusted", CacheMode.Read);
        var before = untrusted.Remote!.ListObjects()!;
        var hit = untrusted.TryGet(Key(3), "requested");
        var (_, upload) = untrusted.Put(Key(4), EntryFiles("trial 4"));

        Assert.Equal(CacheSource.Remote, hit.Source);
        Assert.Null(upload);
        Assert.Equal(before, untrusted.Remote.ListObjects());
        Assert.NotNull(untrusted.Local.TryGet(Key(4), out _)); // the local cache still works
        Assert.Empty(untrusted.Warnings);
    }

    [StorageEmulatorTheory]
    [InlineData(StorageEmulatorKind.Azurite)]
    [InlineData(StorageEmulatorKind.S3rver)]
    public void A_remote_that_stops_mid_run_costs_one_CB4102_warning_and_local_work_goes_on(StorageEmulatorKind kind)
    {
        using var emulator = StorageEmulator.Start(kind);
        var store = new CountingStore(CacheStoreFactory.Create(emulator.CacheUrl(prefix), Endpoint(emulator), Lookup(emulator), TestLimits));
        using var cache = new LayeredCache(new ContentCache(temp.File("machine")), new RemoteCache(store, CacheMode.ReadWrite, TestLimits));
        cache.Put(Key(5), EntryFiles("trial 5"));

        emulator.Stop();
        var before = store.Calls;
        var lookups = Enumerable.Range(6, 3).Select(i => cache.TryGet(Key(i), "requested")).ToList();
        var puts = Enumerable.Range(6, 3).Select(i => cache.Put(Key(i), EntryFiles($"trial {i}"))).ToList();

        Assert.All(lookups, l => Assert.Equal(CacheSource.Miss, l.Source));
        Assert.All(puts, p => Assert.Null(p.Upload));
        Assert.All(Enumerable.Range(5, 4), i => Assert.NotNull(cache.Local.TryGet(Key(i), out _)));
        var warning = Assert.Single(cache.Warnings);
        Assert.Equal(DiagnosticCodes.RemoteCacheUnavailable, warning.Code);
        Assert.Equal(before + 1, store.Calls); // only the first call reaches the stopped remote (and waits for its retries); counted, not timed
    }

    [StorageEmulatorTheory]
    [InlineData(StorageEmulatorKind.Azurite)]
    [InlineData(StorageEmulatorKind.S3rver)]
    public void Refused_credentials_cost_one_CB4103_warning_and_no_entry(StorageEmulatorKind kind)
    {
        var emulator = emulators.Get(kind);
        using var cache = new LayeredCache(new ContentCache(temp.File("refused")),
            new RemoteCache(CacheStoreFactory.Create(emulator.CacheUrl(prefix), Endpoint(emulator), Lookup(emulator, wrongCredentials: true), TestLimits), CacheMode.ReadWrite, TestLimits));

        var lookup = cache.TryGet(Key(9), "requested");
        cache.Put(Key(9), EntryFiles("trial 9"));
        cache.TryGet(Key(10), "requested");

        Assert.Equal(CacheSource.Miss, lookup.Source);
        var warning = Assert.Single(cache.Warnings);
        Assert.Equal(DiagnosticCodes.RemoteCacheAccessDenied, warning.Code);
    }

    [Fact]
    public void A_folder_store_serves_a_second_machine_like_the_cloud_stores()
    {
        var url = new Uri(temp.File("share")).AbsoluteUri;
        using var first = new LayeredCache(new ContentCache(temp.File("a")), RemoteCache.Open(new CacheSettings(url, CacheMode.ReadWrite, null, null), _ => null));
        first.Put(Key(11), EntryFiles("trial 11"));
        using var second = new LayeredCache(new ContentCache(temp.File("b")), RemoteCache.Open(new CacheSettings(url, CacheMode.ReadWrite, null, null), _ => null));

        var hit = second.TryGet(Key(11), "requested");

        Assert.Equal(CacheSource.Remote, hit.Source);
        Assert.Equal(File.ReadAllBytes(Model), File.ReadAllBytes(hit.Entry!.PathOf("model.onnx")));
    }

    [Fact]
    public void A_key_already_in_the_store_is_not_written_again_the_first_manifest_and_its_objects_stay()
    {
        var url = new Uri(temp.File("share")).AbsoluteUri;
        using (var first = new LayeredCache(new ContentCache(temp.File("a")), RemoteCache.Open(new CacheSettings(url, CacheMode.ReadWrite, null, null), _ => null)))
        {
            first.Put(Key(12), EntryFiles("trial 12, first machine"));
        }

        var objects = Directory.GetFiles(temp.File("share"), "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);
        var written = objects.Keys.ToDictionary(f => f, File.GetLastWriteTimeUtc);
        Thread.Sleep(20);
        using (var second = new LayeredCache(new ContentCache(temp.File("b")), RemoteCache.Open(new CacheSettings(url, CacheMode.ReadWrite, null, null), _ => null)))
        {
            second.Put(Key(12), EntryFiles("trial 12, second machine"));
        }

        var after = Directory.GetFiles(temp.File("share"), "*", SearchOption.AllDirectories);
        var model = RemoteCache.ContentName(Sha256(Model)).Replace('/', Path.DirectorySeparatorChar);
        var modelObject = Assert.Single(objects.Keys, f => f.EndsWith(model, StringComparison.Ordinal));
        Assert.Equal(written[modelObject], File.GetLastWriteTimeUtc(modelObject));
        Assert.All(objects, o => Assert.Equal(o.Value, File.ReadAllBytes(o.Key)));
        Assert.Equal(objects.Keys.Order(StringComparer.Ordinal), after.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("ftp://host/x", "scheme 'ftp'")]
    [InlineData("azblob://account", "needs an account and a container")]
    [InlineData("not a url", "not a URL")]
    public void An_unusable_cache_url_is_CB3030(string url, string reason)
    {
        var e = Assert.Throws<CompressBuildException>(() => RemoteCache.Open(new CacheSettings(url, CacheMode.ReadWrite, null, null), _ => null));

        Assert.Equal(DiagnosticCodes.CacheSettingInvalid, e.Code);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    private static string Model => Path.Combine(RepositoryPaths.Digits, "mlp.onnx");

    /// <summary>A key per test number and per test instance, so tests sharing an emulator never meet.</summary>
    private string Key(int n) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{prefix}-{n}")));

    [StorageEmulatorTheory]
    [InlineData(StorageEmulatorKind.Azurite)]
    [InlineData(StorageEmulatorKind.S3rver)]
    public void A_writer_whose_key_another_published_while_its_contents_uploaded_leaves_that_manifest_in_place(StorageEmulatorKind kind)
    {
        var emulator = emulators.Get(kind);
        var key = Key(9);
        using var other = Layered(emulator, "agent-a");
        var store = new RacingStore(CacheStoreFactory.Create(emulator.CacheUrl(prefix), Endpoint(emulator), Lookup(emulator), TestLimits),
            () => other.Put(key, EntryFiles("trial 9, agent a")));
        using var late = new LayeredCache(new ContentCache(temp.File("agent-b")), new RemoteCache(store, CacheMode.ReadWrite, TestLimits));

        var (_, upload) = late.Put(key, EntryFiles("trial 9, agent b"));
        using var reader = Layered(emulator, "reader");
        var hit = reader.TryGet(key, "requested");

        Assert.NotNull(upload);
        Assert.Equal(CacheSource.Remote, hit.Source);
        Assert.Equal("trial 9, agent a", File.ReadAllText(hit.Entry!.PathOf("trial.json")));
        Assert.Empty(other.Warnings);
        Assert.Empty(late.Warnings);
        Assert.Empty(reader.Warnings);
    }

    /// <summary>The condition is the service's own (s3rver ignores it and replaces the object, so it is not asked here).</summary>
    [StorageEmulatorFact]
    public void Creating_a_blob_that_exists_is_refused_and_leaves_the_first_one_whole()
    {
        var azurite = emulators.Get(StorageEmulatorKind.Azurite);
        Creating_an_object_that_exists_is_refused_and_leaves_the_first_one_whole(CacheStoreFactory.Create(azurite.CacheUrl(prefix), Endpoint(azurite), Lookup(azurite), TestLimits));
    }

    [Fact]
    public void Creating_a_file_that_exists_in_a_folder_store_is_refused_and_leaves_the_first_one_whole() =>
        Creating_an_object_that_exists_is_refused_and_leaves_the_first_one_whole(new FolderCacheStore(temp.File("folder-store")));

    private void Creating_an_object_that_exists_is_refused_and_leaves_the_first_one_whole(ICacheStore store)
    {
        using var _ = store;
        File.WriteAllText(temp.File("first.json"), "the first manifest");
        File.WriteAllText(temp.File("second.json"), "a later manifest, longer than the first");
        var name = RemoteCache.ManifestName(Key(10));

        var first = store.TryCreateAsync(name, temp.File("first.json"), CancellationToken.None).GetAwaiter().GetResult();
        var second = store.TryCreateAsync(name, temp.File("second.json"), CancellationToken.None).GetAwaiter().GetResult();
        using var stored = new MemoryStream();
        var found = store.TryDownloadAsync(name, stored, CancellationToken.None).GetAwaiter().GetResult();

        Assert.True(first);
        Assert.False(second);
        Assert.True(found);
        Assert.Equal("the first manifest", System.Text.Encoding.UTF8.GetString(stored.ToArray()));
    }

    private LayeredCache Layered(StorageEmulator emulator, string machine, CacheMode mode = CacheMode.ReadWrite) =>
        new(new ContentCache(temp.File(machine)), new RemoteCache(CacheStoreFactory.Create(emulator.CacheUrl(prefix), Endpoint(emulator), Lookup(emulator), TestLimits), mode, TestLimits));

    private List<KeyValuePair<string, string>> EntryFiles(string record)
    {
        var folder = Directory.CreateDirectory(temp.File("entry-" + Guid.NewGuid().ToString("N"))).FullName;
        File.Copy(Model, Path.Combine(folder, "model.onnx"));
        File.WriteAllText(Path.Combine(folder, "trial.json"), record);
        return [new("model.onnx", Path.Combine(folder, "model.onnx")), new("trial.json", Path.Combine(folder, "trial.json"))];
    }

    private static string? Endpoint(StorageEmulator emulator) => emulator.Environment().GetValueOrDefault(CacheSettings.EndpointVariable);

    private static Func<string, string?> Lookup(StorageEmulator emulator, bool wrongCredentials = false)
    {
        var environment = emulator.Environment(wrongCredentials);
        return name => environment.GetValueOrDefault(name);
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
}
