using System.Net;
using System.Net.Sockets;
using System.Text;
using CompressBuild.Engine.Pipeline.Cache;
using CompressBuild.Engine.Pipeline.Cache.Stores;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Cache.Stores;

/// <summary>
/// S3's conditional write as it goes over the wire, against a server on 127.0.0.1 that records each request's head and gives one
/// answer: s3rver, the emulator, ignores <c>If-None-Match</c>, so only here is the condition and its refusal seen.
/// </summary>
public sealed class S3CacheStoreTests : IDisposable
{
    private readonly TempFolder temp = new();
    private readonly TcpListener server = new(IPAddress.Loopback, 0);
    private readonly List<string> heads = [];
    private readonly CancellationTokenSource stop = new();

    public void Dispose()
    {
        stop.Cancel();
        server.Stop();
        stop.Dispose();
        temp.Dispose();
    }

    [Theory]
    [InlineData(200, "", true)]
    [InlineData(412, "PreconditionFailed", false)]
    [InlineData(409, "ConditionalRequestConflict", false)]
    public async Task Creating_an_object_sends_if_none_match_star_and_a_refusal_is_false(int status, string code, bool created)
    {
        Answer(status, code);
        File.WriteAllText(temp.File("manifest.json"), "{}");
        var environment = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "key", ["AWS_SECRET_ACCESS_KEY"] = "secret" };
        using var store = CacheStoreFactory.Create(
            "s3://cache/conditional", $"http://127.0.0.1:{((IPEndPoint)server.LocalEndpoint).Port}", n => environment.GetValueOrDefault(n), RemoteCacheTests.TestLimits);

        var result = await store.TryCreateAsync("v1/ac/ab/abcd.json", temp.File("manifest.json"), CancellationToken.None);

        Assert.Equal(created, result);
        lock (heads)
        {
            Assert.NotEmpty(heads);
            Assert.All(heads, h => Assert.StartsWith("PUT /cache/conditional/v1/ac/ab/abcd.json ", h, StringComparison.Ordinal));
            Assert.All(heads, h => Assert.Contains("\r\nIf-None-Match: *\r\n", h, StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>Answers every request with <paramref name="status"/> (and an S3 error body naming <paramref name="code"/>), after reading it whole.</summary>
    private void Answer(int status, string code)
    {
        server.Start();
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var client = await server.AcceptTcpClientAsync(stop.Token);
                    var stream = client.GetStream();
                    var head = await ReadHeadAsync(stream);
                    lock (heads)
                    {
                        heads.Add(head);
                    }

                    if (head.Contains("\r\nExpect: 100-continue\r\n", StringComparison.OrdinalIgnoreCase))
                    {
                        await stream.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), stop.Token);
                    }

                    var length = head.Split("\r\n").Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                        .Select(l => int.Parse(l[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
                    await stream.ReadExactlyAsync(new byte[length], stop.Token);
                    var body = status == 200 ? "" : $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>refused</Message></Error>";
                    var reason = status == 200 ? "OK" : "Refused";
                    var answer = $"HTTP/1.1 {status} {reason}\r\nETag: \"0123\"\r\nContent-Type: application/xml\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
                {
                    return;
                }
            }
        });
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(one) == 1)
        {
            head.Append((char)one[0]);
        }

        return head.ToString();
    }
}
