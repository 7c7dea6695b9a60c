using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Pipeline.Cache;
using CompressBuild.Engine.Pipeline.Cache.Stores;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Cache;

/// <summary>
/// A remote that accepts connections and then never answers (a hung service, a black-holing proxy), on 127.0.0.1:
/// the limits bound the wait, the run gets one CB4102, and later lookups do not wait again.
/// </summary>
public sealed class RemoteCacheTimeoutTests : IDisposable
{
    private static readonly RemoteCacheLimits Short = new(1, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 1 << 20);

    private readonly TempFolder temp = new();
    private readonly TcpListener silent = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> held = [];
    private readonly CancellationTokenSource stop = new();

    public RemoteCacheTimeoutTests()
    {
        silent.Start();
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var client = await silent.AcceptTcpClientAsync(stop.Token);
                    lock (held)
                    {
                        held.Add(client);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
            }
        });
    }

    public void Dispose()
    {
        stop.Cancel();
        silent.Stop();
        lock (held)
        {
            held.ForEach(c => c.Dispose());
        }

        stop.Dispose();
        temp.Dispose();
    }

    [Theory]
    [InlineData("azblob")]
    [InlineData("s3")]
    public void A_remote_that_never_answers_costs_one_CB4102_within_the_bounded_wait(string scheme)
    {
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var environment = new Dictionary<string, string>
        {
            ["AZURE_STORAGE_CONNECTION_STRING"] =
                $"DefaultEndpointsProtocol=http;AccountName={StorageEmulator.AzuriteAccount};AccountKey={StorageEmulator.AzuriteKey};"
                    + $"BlobEndpoint=http://127.0.0.1:{port}/{StorageEmulator.AzuriteAccount};",
            ["AWS_ACCESS_KEY_ID"] = "key",
            ["AWS_SECRET_ACCESS_KEY"] = "secret",
        };
        var url = scheme == "azblob" ? $"azblob://{StorageEmulator.AzuriteAccount}/cache/hung" : "s3://cache/hung";
        var endpoint = scheme == "azblob" ? null : $"http://127.0.0.1:{port}";
        var store = new CountingStore(CacheStoreFactory.Create(url, endpoint, n => environment.GetValueOrDefault(n), Short));
        using var cache = new LayeredCache(new ContentCache(temp.File("local")), new RemoteCache(store, CacheMode.ReadWrite, Short));

        var clock = Stopwatch.StartNew();
        var first = cache.TryGet(new string('a', 64), "requested");
        var firstWait = clock.Elapsed;
        var asked = store.Calls;
        var second = cache.TryGet(new string('b', 64), "requested");

        Assert.Equal(CacheSource.Miss, first.Source);
        Assert.Equal(CacheSource.Miss, second.Source);
        Assert.Equal(DiagnosticCodes.RemoteCacheUnavailable, Assert.Single(cache.Warnings).Code);
        Assert.Equal(1, asked);
        Assert.Equal(asked, store.Calls); // the remote is off: the second lookup does not ask it, so cannot wait for it

        // The 2 s deadline plus a loaded machine's slack (the SDK's first request is JIT-compiled inside it, on a CPU shared with
        // the whole suite); without the limits a hung service holds each try for the SDK's 100 s network timeout.
        Assert.InRange(firstWait, TimeSpan.Zero, TimeSpan.FromSeconds(30));
    }
}
