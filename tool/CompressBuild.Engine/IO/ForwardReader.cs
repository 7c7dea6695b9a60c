namespace CompressBuild.Engine.IO;

/// <summary>
/// Reads a stream front to back through its own buffer and knows its position, for parsers that look at a few
/// bytes at a time but must also hand large spans straight to their destination: <see cref="ReadExactly"/> fills
/// a caller's array from the stream directly once the buffer is drained, so a 1 GiB tensor is copied once, not twice.
/// </summary>
internal sealed class ForwardReader(Stream stream)
{
    private readonly byte[] buffer = new byte[1 << 16];
    private int next;
    private int end;

    /// <summary>Bytes consumed so far.</summary>
    public long Position { get; private set; }

    /// <exception cref="EndOfStreamException">The stream ended.</exception>
    public byte ReadByte()
    {
        if (next == end && !Refill())
        {
            throw new EndOfStreamException();
        }

        Position++;
        return buffer[next++];
    }

    /// <summary>Fills <paramref name="destination"/> completely.</summary>
    /// <exception cref="EndOfStreamException">The stream ended first.</exception>
    public void ReadExactly(Span<byte> destination)
    {
        if (Read(destination) < destination.Length)
        {
            throw new EndOfStreamException();
        }
    }

    /// <summary>Reads up to <paramref name="destination"/>'s length; fewer only at the end of the stream.</summary>
    public int Read(Span<byte> destination)
    {
        var fromBuffer = Math.Min(end - next, destination.Length);
        buffer.AsSpan(next, fromBuffer).CopyTo(destination);
        next += fromBuffer;
        Position += fromBuffer;
        if (fromBuffer == destination.Length)
        {
            return fromBuffer;
        }

        // Large reads bypass the buffer; small ones refill it so the next few reads need no system call.
        var rest = destination[fromBuffer..];
        if (rest.Length >= buffer.Length)
        {
            var direct = stream.ReadAtLeast(rest, rest.Length, throwOnEndOfStream: false);
            Position += direct;
            return fromBuffer + direct;
        }

        if (!Refill())
        {
            return fromBuffer;
        }

        return fromBuffer + Read(rest);
    }

    private bool Refill()
    {
        next = 0;
        end = stream.Read(buffer, 0, buffer.Length);
        return end > 0;
    }
}
