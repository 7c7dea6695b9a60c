using Microsoft.Win32.SafeHandles;

namespace CompressBuild.Engine.IO;

/// <summary>
/// An anonymous temporary file for data too large to hold in memory (an inflated .npz array): written once, then
/// read through any number of independent seekable streams. It has no name once created (unlinked at once on Unix,
/// delete-on-close on Windows), so nothing is left behind however the process ends; the space is freed when the
/// handle is released (disposed, or collected with the last reader factory).
/// </summary>
public sealed class SpillFile : IDisposable
{
    private readonly SafeFileHandle handle;

    private SpillFile(SafeFileHandle handle) => this.handle = handle;

    public static SpillFile Create()
    {
        var path = Path.Combine(Path.GetTempPath(), $"compressbuild-spill-{Guid.NewGuid():N}.tmp");
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, FileOptions.DeleteOnClose);
        if (!OperatingSystem.IsWindows())
        {
            File.Delete(path);
        }

        return new SpillFile(handle);
    }

    public long Length => RandomAccess.GetLength(handle);

    /// <summary>A stream that appends to the file; disposing it leaves the file open.</summary>
    public Stream OpenWrite() => new HandleStream(handle, writable: true);

    /// <summary>A fresh read-only stream at position 0; disposing it leaves the file open.</summary>
    public Stream OpenRead() => new HandleStream(handle, writable: false);

    public void Dispose() => handle.Dispose();

    /// <summary>Positional reads and writes on the shared handle (RandomAccess), so streams do not disturb each other.</summary>
    private sealed class HandleStream(SafeFileHandle handle, bool writable) : Stream
    {
        private long position;

        public override bool CanRead => !writable;

        public override bool CanSeek => true;

        public override bool CanWrite => writable;

        public override long Length => RandomAccess.GetLength(handle);

        public override long Position
        {
            get => position;
            set => position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = RandomAccess.Read(handle, buffer, position);
            position += read;
            return read;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (!writable)
            {
                throw new NotSupportedException();
            }

            RandomAccess.Write(handle, buffer, position);
            position += buffer.Length;
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => position + offset,
            _ => Length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
