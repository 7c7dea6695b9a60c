using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CompressBuild.Engine.Tests.Pipeline.Cache.Stores;

/// <summary>
/// An HTTP server on 127.0.0.1 that records each request's head and answers it as told, after reading it whole: how a store's requests go
/// over the wire, and what it makes of answers no emulator gives (a conditional write's refusal, a container being deleted).
/// </summary>
internal sealed class RecordingServer : IDisposable
{
    private readonly TcpListener server = new(IPAddress.Loopback, 0);
    private readonly List<string> heads = [];
    private readonly CancellationTokenSource stop = new();

    /// <param name="answer">From a request's head: the status, extra header lines (each ending in CRLF) and the body.</param>
    public RecordingServer(Func<string, (int Status, string Headers, string Body)> answer)
    {
        server.Start();
        _ = Task.Run(() => ServeAsync(answer));
    }

    public string Endpoint => $"http://127.0.0.1:{((IPEndPoint)server.LocalEndpoint).Port}";

    /// <summary>Each request's request line and headers, in the order they came.</summary>
    public IReadOnlyList<string> Heads
    {
        get
        {
            lock (heads)
            {
                return [.. heads];
            }
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        server.Stop();
        stop.Dispose();
    }

    private async Task ServeAsync(Func<string, (int Status, string Headers, string Body)> answer)
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
                var (status, headers, body) = answer(head);
                var reply = $"HTTP/1.1 {status} {(status < 300 ? "OK" : "Refused")}\r\n{headers}Content-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(reply), stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
            {
                return;
            }
        }
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
