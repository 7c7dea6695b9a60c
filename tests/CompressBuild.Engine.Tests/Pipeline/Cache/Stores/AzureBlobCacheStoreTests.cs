using CompressBuild.Engine.Pipeline.Cache;
using CompressBuild.Engine.Pipeline.Cache.Stores;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Cache.Stores;

/// <summary>
/// Azure's answers to a conditional write, against a <see cref="RecordingServer"/>: Azurite gives only the refusal of a blob that exists
/// (409 BlobAlreadyExists); a service may also answer 412 ConditionNotMet, and a 409 for anything else (the container being deleted) is a
/// failure to report, not another writer's win.
/// </summary>
public sealed class AzureBlobCacheStoreTests : IDisposable
{
    private const string Sas = "sv=2020-08-04&ss=b&srt=sco&sp=rwdlac&se=2099-01-01T00:00:00Z&sig=c2lnbmF0dXJl";

    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData(201, "", true)]
    [InlineData(409, "BlobAlreadyExists", false)]
    [InlineData(412, "ConditionNotMet", false)]
    public async Task Creating_a_blob_sends_if_none_match_star_and_a_refusal_because_it_exists_is_false(int status, string code, bool created)
    {
        using var server = Server(status, code);
        using var store = Store(server);

        var result = await store.TryCreateAsync("v1/ac/ab/abcd.json", temp.File("manifest.json"), CancellationToken.None);

        Assert.Equal(created, result);
        var puts = server.Heads.Where(h => h.StartsWith("PUT /devstoreaccount1/cache/conditional/v1/ac/ab/abcd.json", StringComparison.Ordinal)).ToList();
        Assert.Single(puts);
        Assert.Contains("\r\nIf-None-Match: *\r\n", puts[0], StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(409, "ContainerBeingDeleted")]
    [InlineData(409, "LeaseIdMissing")]
    [InlineData(412, "LeaseNotPresentWithBlobOperation")]
    public async Task A_conditional_write_refused_for_another_reason_fails_rather_than_reading_as_taken(int status, string code)
    {
        using var server = Server(status, code);
        using var store = Store(server);

        var error = await Assert.ThrowsAsync<CacheStoreException>(() => store.TryCreateAsync("v1/ac/ab/abcd.json", temp.File("manifest.json"), CancellationToken.None));

        Assert.Equal(CacheStoreFailure.Unreachable, error.Failure);
        Assert.Contains(code, error.Message, StringComparison.Ordinal);
    }

    /// <summary>Creates the container; answers the blob's write with <paramref name="status"/> and Azure's error code <paramref name="code"/>.</summary>
    private static RecordingServer Server(int status, string code) => new(head =>
    {
        const string Stamp = "ETag: \"0x8D0\"\r\nLast-Modified: Wed, 02 Dec 2026 09:00:00 GMT\r\nx-ms-request-id: 1\r\nx-ms-version: 2020-08-04\r\n";
        if (head.Contains("restype=container", StringComparison.Ordinal) || status < 300)
        {
            return (201, Stamp, "");
        }

        var body = $"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>refused</Message></Error>";
        return (status, $"{Stamp}x-ms-error-code: {code}\r\nContent-Type: application/xml\r\n", body);
    });

    private AzureBlobCacheStore Store(RecordingServer server)
    {
        File.WriteAllText(temp.File("manifest.json"), "{}");
        return (AzureBlobCacheStore)CacheStoreFactory.Create($"azblob://devstoreaccount1/cache/conditional?{Sas}", $"{server.Endpoint}/devstoreaccount1", _ => null,
            RemoteCacheTests.TestLimits);
    }
}
