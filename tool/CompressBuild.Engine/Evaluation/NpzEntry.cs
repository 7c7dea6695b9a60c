using System.Buffers.Binary;
using System.IO.Compression;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;

namespace CompressBuild.Engine.Evaluation;

/// <summary>
/// Inflates one array of an .npz archive with its size bounded before any of it is held: by the size the zip
/// entry declares, by the size the array's own .npy header declares (header plus shape × element size), and by
/// a compression ratio no real data reaches. A small archive that inflates to gigabytes is refused (CB2019).
/// Small arrays are inflated into memory; larger ones into an anonymous temporary file (<see cref="SpillFile"/>),
/// read one sample at a time like a plain .npy, so a large archive never has to fit in memory.
/// </summary>
internal static class NpzEntry
{
    /// <summary>Deflate cannot compress better than about 1032:1; real arrays are nowhere near that.</summary>
    public const long MaxRatio = 1032;

    /// <summary>Arrays up to this size are held in memory; larger ones go to a temporary file.</summary>
    public const long InMemoryBytes = 64L << 20;

    private const long MaxBytes = int.MaxValue;

    /// <summary>The header bytes read before the array's declared size is known; NpyFile refuses longer headers anyway.</summary>
    private const int MaxHeaderBytes = (1 << 20) + 12;

    /// <summary>A factory of fresh read streams over the inflated .npy bytes (each positioned at 0).</summary>
    public static Func<Stream> Open(ZipArchiveEntry entry, string displayName, long inMemoryBytes = InMemoryBytes)
    {
        if (entry.Length <= inMemoryBytes)
        {
            using var buffer = new MemoryStream((int)Math.Min(Math.Max(entry.Length, 0), 1 << 20));
            CopyBounded(entry, buffer, displayName);
            var bytes = buffer.ToArray();
            return () => new MemoryStream(bytes, writable: false);
        }

        var spill = SpillFile.Create();
        try
        {
            using (var writer = spill.OpenWrite())
            {
                CopyBounded(entry, writer, displayName);
            }

            return spill.OpenRead;
        }
        catch
        {
            spill.Dispose();
            throw;
        }
    }

    /// <summary>The whole inflated entry in memory (small arrays and tests).</summary>
    public static byte[] Inflate(ZipArchiveEntry entry, string displayName)
    {
        using var buffer = new MemoryStream((int)Math.Min(Math.Max(entry.Length, 0), 1 << 20));
        CopyBounded(entry, buffer, displayName);
        return buffer.ToArray();
    }

    private static void CopyBounded(ZipArchiveEntry entry, Stream destination, string displayName)
    {
        var declared = entry.Length;
        var limit = Math.Min(MaxBytes, Math.Max(declared, 0));
        if (declared > MaxBytes || declared > Math.Max(entry.CompressedLength, 1) * MaxRatio)
        {
            throw TooLarge(displayName, $"declares {declared} bytes inflated from {entry.CompressedLength}");
        }

        using var source = entry.Open();
        using var header = new MemoryStream();
        var chunk = new byte[1 << 16];
        int read;
        long written = 0;
        long? arrayBytes = null;
        while ((read = source.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (written + read > limit)
            {
                throw TooLarge(displayName, $"inflates past the {limit} bytes its zip entry declares");
            }

            destination.Write(chunk, 0, read);
            written += read;
            if (arrayBytes is null)
            {
                header.Write(chunk, 0, (int)Math.Min(read, Math.Max(0, MaxHeaderBytes - header.Length)));
                arrayBytes = DeclaredBytes(header, displayName);
            }

            if (arrayBytes is { } bound && written > bound)
            {
                throw TooLarge(displayName, $"inflates past the {bound} bytes its .npy header declares");
            }
        }
    }

    /// <summary>Header plus data size, once enough of the header is inflated to read it; null until then.</summary>
    private static long? DeclaredBytes(MemoryStream buffer, string displayName)
    {
        if (buffer.Length < 12)
        {
            return null;
        }

        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        var headerEnd = bytes[6] == 1 ? 10L + BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..10]) : 12L + BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..12]);
        if (buffer.Length < headerEnd)
        {
            if (headerEnd > int.MaxValue)
            {
                throw TooLarge(displayName, "has a .npy header over 2 GiB");
            }

            // A header longer than any NpyFile reads: let its parser say so (CB2012) instead of collecting it.
            return headerEnd > MaxHeaderBytes ? NpyFile.Open(displayName, () => new MemoryStream(buffer.GetBuffer(), 0, (int)buffer.Length, writable: false), checkLength: false).DataOffset : null;
        }

        var array = NpyFile.Open(displayName, () => new MemoryStream(buffer.GetBuffer(), 0, (int)headerEnd, writable: false), checkLength: false);
        return array.DataOffset + (Onnx.TensorChecks.ElementCount(array.Shape, "the array", displayName) * array.ElementSize);
    }

    private static CompressBuildException TooLarge(string displayName, string why) =>
        new(DiagnosticCodes.DataTooLarge, $"the archive entry {why}; it is refused unread.", displayName);
}
