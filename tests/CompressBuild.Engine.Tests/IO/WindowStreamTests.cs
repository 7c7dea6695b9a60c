using CompressBuild.Engine.IO;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.IO;

/// <summary>One field of a real file seen as a stream: a re-encoded prefix, then exactly the payload's bytes.</summary>
public sealed class WindowStreamTests : IDisposable
{
    private readonly TempFolder temp = new();
    private readonly byte[] content = new byte[150_000];

    public WindowStreamTests()
    {
        new Random(7).NextBytes(content);
        File.WriteAllBytes(temp.File("data.bin"), content);
    }

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Yields_the_prefix_then_exactly_length_bytes_and_leaves_the_rest_to_the_reader()
    {
        using var file = File.OpenRead(temp.File("data.bin"));
        var reader = new ForwardReader(file);
        reader.ReadExactly(new byte[5]);
        byte[] prefix = [0x0A, 0x80, 0x01];

        using var window = new WindowStream(prefix, reader, 100_000);
        using var copy = new MemoryStream();
        window.CopyTo(copy, bufferSize: 4096);

        Assert.Equal([.. prefix, .. content.AsSpan(5, 100_000)], copy.ToArray());
        Assert.Equal(0, window.Read(new byte[10]));
        Assert.Equal(content[100_005], reader.ReadByte());
    }

    [Fact]
    public void A_file_shorter_than_the_window_is_an_end_of_stream_error()
    {
        using var file = File.OpenRead(temp.File("data.bin"));
        var reader = new ForwardReader(file);

        using var window = new WindowStream(ReadOnlyMemory<byte>.Empty, reader, content.Length + 1);

        Assert.Throws<EndOfStreamException>(() => window.CopyTo(Stream.Null));
    }

    [Fact]
    public void It_is_read_only_and_not_seekable()
    {
        using var file = File.OpenRead(temp.File("data.bin"));
        using var window = new WindowStream(ReadOnlyMemory<byte>.Empty, new ForwardReader(file), 10);

        Assert.True(window.CanRead);
        Assert.False(window.CanSeek);
        Assert.False(window.CanWrite);
        Assert.Throws<NotSupportedException>(() => window.Write([1], 0, 1));
        Assert.Throws<NotSupportedException>(() => window.Seek(0, SeekOrigin.Begin));
        Assert.Throws<NotSupportedException>(() => window.Length);
    }
}
