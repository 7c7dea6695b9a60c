using System.Buffers.Binary;
using System.Text;

namespace OnnxApp;

/// <summary>Reads the little-endian float32 and int64 .npy files (numpy.save, C order) the sample data comes in.</summary>
internal static class NpyFile
{
    public static float[] ReadSingles(string path, out long[] shape)
    {
        var (data, dtype, dims) = Read(path);
        if (dtype != "<f4")
        {
            throw new InvalidDataException($"{path}: expected float32 ('<f4') data, found '{dtype}'.");
        }

        shape = dims;
        var values = new float[data.Length / 4];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(i * 4));
        }

        return values;
    }

    public static long[] ReadInt64s(string path)
    {
        var (data, dtype, _) = Read(path);
        if (dtype != "<i8")
        {
            throw new InvalidDataException($"{path}: expected int64 ('<i8') labels, found '{dtype}'.");
        }

        var values = new long[data.Length / 8];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(i * 8));
        }

        return values;
    }

    private static (byte[] Data, string DType, long[] Shape) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        // Magic "\x93NUMPY", version byte, then a 2-byte (v1) or 4-byte (v2, v3) header length.
        var major = bytes[6];
        var headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        var headerStart = major == 1 ? 10 : 12;
        var header = Encoding.ASCII.GetString(bytes, headerStart, headerLength);
        if (header.Contains("'fortran_order': True", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: Fortran-order arrays are not supported; save with numpy.save in C order.");
        }

        var dtype = Between(header, "'descr': '", "'");
        var shape = Between(header, "'shape': (", ")")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(long.Parse)
            .ToArray();
        return (bytes[(headerStart + headerLength)..], dtype, shape);
    }

    private static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal) + start.Length;
        return text[from..text.IndexOf(end, from, StringComparison.Ordinal)];
    }
}
