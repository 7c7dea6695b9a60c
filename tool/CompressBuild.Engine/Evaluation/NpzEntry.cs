using System.Buffers.Binary;
using System.IO.Compression;
using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Engine.Evaluation;

/// <summary>
/// Inflates one array of an .npz archive with its size bounded before any of it is held: by the size the zip
/// entry declares, by the size the array's own .npy header declares (header plus shape × element size), and by
/// a compression ratio no real data reaches. A small archive that inflates to gigabytes is refused (CB2019).
/// </summary>
internal static class NpzEntry
{
    /// <summary>Deflate cannot compress better than about 1032:1; real arrays are nowhere near that.</summary>
    public const long MaxRatio = 1032;

    private const long MaxBytes = int.MaxValue;

    public static byte[] Inflate(ZipArchiveEntry entry, string displayName)
    {
        var declared = entry.Length;
        var limit = Math.Min(MaxBytes, Math.Max(declared, 0));
        if (declared > MaxBytes || declared > Math.Max(entry.CompressedLength, 1) * MaxRatio)
        {
            throw TooLarge(displayName, $"declares {declared} bytes inflated from {entry.CompressedLength}");
        }

        using var source = entry.Open();
        using var buffer = new MemoryStream((int)Math.Min(limit, 1 << 20));
        var chunk = new byte[1 << 16];
        int read;
        long? arrayBytes = null;
        while ((read = source.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw TooLarge(displayName, $"inflates past the {limit} bytes its zip entry declares");
            }

            buffer.Write(chunk, 0, read);
            arrayBytes ??= DeclaredBytes(buffer, displayName);
            if (arrayBytes is { } bound && buffer.Length > bound)
            {
                throw TooLarge(displayName, $"inflates past the {bound} bytes its .npy header declares");
            }
        }

        return buffer.ToArray();
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
            return headerEnd > int.MaxValue ? throw TooLarge(displayName, "has a .npy header over 2 GiB") : null;
        }

        var array = NpyFile.Open(displayName, () => new MemoryStream(buffer.GetBuffer(), 0, (int)headerEnd, writable: false), checkLength: false);
        return array.DataOffset + (Onnx.TensorChecks.ElementCount(array.Shape, "the array", displayName) * array.ElementSize);
    }

    private static CompressBuildException TooLarge(string displayName, string why) =>
        new(DiagnosticCodes.DataTooLarge, $"the archive entry {why}; it is refused unread.", displayName);
}
