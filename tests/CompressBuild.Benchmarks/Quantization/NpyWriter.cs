using System.Runtime.InteropServices;
using System.Text;

namespace CompressBuild.Benchmarks.Quantization;

/// <summary>Writes a float32 C-order .npy file, as numpy.save does.</summary>
internal static class NpyWriter
{
    public static void Write(string path, long[] shape, float[] values)
    {
        var dims = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {dims}, }}";
        var padded = header.PadRight(((10 + header.Length + 1 + 63) / 64 * 64) - 10 - 1) + "\n";
        using var stream = File.Create(path);
        stream.Write([0x93, .. "NUMPY"u8, 1, 0]);
        stream.Write(BitConverter.GetBytes((ushort)padded.Length));
        stream.Write(Encoding.Latin1.GetBytes(padded));
        stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }
}
