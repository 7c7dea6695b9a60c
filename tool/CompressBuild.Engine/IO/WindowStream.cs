namespace CompressBuild.Engine.IO;

/// <summary>
/// A read-only stream of <paramref name="prefix"/> followed by the next <paramref name="length"/> bytes of a
/// <see cref="ForwardReader"/>: lets a protobuf parser see one field (its re-encoded tag and length, then the
/// payload straight from the file) without the payload being buffered first.
/// </summary>
internal sealed class WindowStream(ReadOnlyMemory<byte> prefix, ForwardReader source, long length) : Stream
{
    private ReadOnlyMemory<byte> pending = prefix;
    private long remaining = length;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (!pending.IsEmpty)
        {
            var n = Math.Min(pending.Length, buffer.Length);
            pending.Span[..n].CopyTo(buffer);
            pending = pending[n..];
            return n;
        }

        if (remaining == 0 || buffer.IsEmpty)
        {
            return 0;
        }

        var read = source.Read(buffer[..(int)Math.Min(buffer.Length, remaining)]);
        if (read == 0)
        {
            throw new EndOfStreamException();
        }

        remaining -= read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
