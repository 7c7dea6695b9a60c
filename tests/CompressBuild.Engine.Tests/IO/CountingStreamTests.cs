using System.IO.Compression;
using CompressBuild.Engine.IO;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.IO;

public sealed class CountingStreamTests
{
    [Fact]
    public void Counts_exactly_the_bytes_of_the_zip_archive_it_replaces()
    {
        // What the engine uses it for: the zipped size of a model without holding the archive.
        var model = File.ReadAllBytes(Path.Combine(RepositoryPaths.Digits, "mlp.onnx"));

        var counted = new CountingStream();
        Zip(counted, model);
        // The same archive really written, to a sink that cannot seek either (so zip adds the same data descriptors).
        using var real = new MemoryStream();
        Zip(new ForwardOnly(real), model);

        Assert.Equal(real.Length, counted.Count);
        Assert.True(counted.Count < model.Length, $"{counted.Count} vs {model.Length}");
        Assert.Equal(counted.Count, counted.Length);
        Assert.Equal(counted.Count, counted.Position);
    }

    [Fact]
    public void Every_write_overload_counts_and_reading_or_seeking_is_refused()
    {
        var stream = new CountingStream();

        stream.Write(new byte[10], 2, 5);
        stream.Write(new byte[7].AsSpan());
        stream.WriteByte(1);

        Assert.Equal(13, stream.Count);
        Assert.False(stream.CanRead);
        Assert.False(stream.CanSeek);
        Assert.Throws<NotSupportedException>(() => stream.Read(new byte[1], 0, 1));
        Assert.Throws<NotSupportedException>(() => stream.Seek(0, SeekOrigin.Begin));
        Assert.Throws<NotSupportedException>(() => stream.Position = 0);
    }

    private static void Zip(Stream destination, byte[] model)
    {
        using var archive = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        var entry = archive.CreateEntry("mlp.onnx", CompressionLevel.Optimal);
        // A fixed time stamp: the two archives must be byte-for-byte the same size.
        entry.LastWriteTime = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var stream = entry.Open();
        stream.Write(model);
    }

    /// <summary>A write-only view of a stream that hides its ability to seek, as the counting stream cannot.</summary>
    private sealed class ForwardOnly(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
