using CompressBuild.Engine.Pipeline.Cache;
using CompressBuild.Engine.Pipeline.Cache.Stores;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Cache.Stores;

/// <summary>
/// S3's conditional write as it goes over the wire, against a <see cref="RecordingServer"/>: s3rver, the emulator, ignores <c>If-None-Match</c>,
/// so only here is the condition and its refusal seen.
/// </summary>
public sealed class S3CacheStoreTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData(200, "", true)]
    [InlineData(412, "PreconditionFailed", false)]
    [InlineData(409, "ConditionalRequestConflict", false)]
    public async Task Creating_an_object_sends_if_none_match_star_and_a_refusal_is_false(int status, string code, bool created)
    {
        var body = status == 200 ? "" : $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>refused</Message></Error>";
        using var server = new RecordingServer(_ => (status, "ETag: \"0123\"\r\nContent-Type: application/xml\r\n", body));
        File.WriteAllText(temp.File("manifest.json"), "{}");
        var environment = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "key", ["AWS_SECRET_ACCESS_KEY"] = "secret" };
        using var store = CacheStoreFactory.Create("s3://cache/conditional", server.Endpoint, n => environment.GetValueOrDefault(n), RemoteCacheTests.TestLimits);

        var result = await store.TryCreateAsync("v1/ac/ab/abcd.json", temp.File("manifest.json"), CancellationToken.None);

        Assert.Equal(created, result);
        Assert.NotEmpty(server.Heads);
        Assert.All(server.Heads, h => Assert.StartsWith("PUT /cache/conditional/v1/ac/ab/abcd.json ", h, StringComparison.Ordinal));
        Assert.All(server.Heads, h => Assert.Contains("\r\nIf-None-Match: *\r\n", h, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_server_without_conditional_writes_gets_plain_writes_from_its_first_refusal_on()
    {
        const string NotImplemented = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NotImplemented</Code><Message>A header you provided implies "
            + "functionality that is not implemented</Message></Error>";
        using var server = new RecordingServer(head => head.Contains("\r\nIf-None-Match:", StringComparison.OrdinalIgnoreCase)
            ? (501, "Content-Type: application/xml\r\n", NotImplemented)
            : (200, "ETag: \"0123\"\r\n", ""));
        File.WriteAllText(temp.File("manifest.json"), "{}");
        var environment = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "key", ["AWS_SECRET_ACCESS_KEY"] = "secret" };
        using var store = CacheStoreFactory.Create("s3://cache/plain", server.Endpoint, n => environment.GetValueOrDefault(n), RemoteCacheTests.TestLimits);

        var first = await store.TryCreateAsync("v1/ac/ab/abcd.json", temp.File("manifest.json"), CancellationToken.None);
        var second = await store.TryCreateAsync("v1/ac/cd/cdef.json", temp.File("manifest.json"), CancellationToken.None);

        Assert.True(first);
        Assert.True(second);
        var conditional = server.Heads.Select(h => h.Contains("\r\nIf-None-Match: *\r\n", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.Equal([true, false, false], conditional);
    }
}
