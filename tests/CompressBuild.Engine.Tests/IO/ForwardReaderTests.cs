using CompressBuild.Engine.IO;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.IO;

/// <summary>A real 300 KiB file (seeded bytes) read through the reader's 64 KiB buffer in every pattern its callers use.</summary>
public sealed class ForwardReaderTests : IDisposable
{
    private const int Length = 300_000;

    private readonly TempFolder temp = new();
    private readonly byte[] content = new byte[Length];

    public ForwardReaderTests()
    {
        new Random(13).NextBytes(content);
        File.WriteAllBytes(temp.File("data.bin"), content);
    }

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Byte_reads_small_reads_and_a_large_direct_read_give_the_file_in_order_and_count_the_position()
    {
        using var file = File.OpenRead(temp.File("data.bin"));
        var reader = new ForwardReader(file);
        var read = new List<byte>();

        for (var i = 0; i < 10; i++)
        {
            read.Add(reader.ReadByte());
        }

        var small = new byte[65_530]; // crosses the first buffer's end
        reader.ReadExactly(small);
        read.AddRange(small);
        var large = new byte[200_000]; // larger than the buffer: drains it, then reads the file directly
        reader.ReadExactly(large);
        read.AddRange(large);

        Assert.Equal(10 + 65_530 + 200_000, reader.Position);
        Assert.Equal(content.AsSpan(0, read.Count).ToArray(), read.ToArray());
    }

    [Fact]
    public void At_the_end_read_returns_what_is_left_and_read_exactly_and_read_byte_throw()
    {
        using var file = File.OpenRead(temp.File("data.bin"));
        var reader = new ForwardReader(file);
        reader.ReadExactly(new byte[Length - 100]);

        var tail = new byte[1000];
        var got = reader.Read(tail);

        Assert.Equal(100, got);
        Assert.Equal(content.AsSpan(Length - 100).ToArray(), tail.AsSpan(0, 100).ToArray());
        Assert.Equal(Length, reader.Position);
        Assert.Throws<EndOfStreamException>(() => reader.ReadByte());
        Assert.Throws<EndOfStreamException>(() => reader.ReadExactly(new byte[1]));
    }
}
