using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Inspection;

/// <summary>Counts elements that are exactly zero (either sign for floats), vectorized for the common widths.</summary>
public static class ZeroCounter
{
    public static long Count(ReadOnlySpan<byte> raw, int elementType) => (TensorProto.Types.DataType)elementType switch
    {
        TensorProto.Types.DataType.Float => CountMasked(MemoryMarshal.Cast<byte, uint>(raw), 0x7FFF_FFFFu),
        TensorProto.Types.DataType.Double => CountMasked(MemoryMarshal.Cast<byte, ulong>(raw), 0x7FFF_FFFF_FFFF_FFFFul),
        TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16 => CountMasked(MemoryMarshal.Cast<byte, ushort>(raw), (ushort)0x7FFF),
        TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Uint8 => CountMasked(raw, (byte)0xFF),
        TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 => CountMasked(MemoryMarshal.Cast<byte, uint>(raw), 0xFFFF_FFFFu),
        TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64 => CountMasked(MemoryMarshal.Cast<byte, ulong>(raw), ulong.MaxValue),
        TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Uint16 => CountMasked(MemoryMarshal.Cast<byte, ushort>(raw), (ushort)0xFFFF),
        _ => 0,
    };

    private static long CountMasked<T>(ReadOnlySpan<T> values, T mask)
        where T : unmanaged, IBinaryInteger<T>
    {
        long count = 0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported && values.Length >= Vector256<T>.Count)
        {
            var vectors = MemoryMarshal.Cast<T, Vector256<T>>(values);
            var maskVector = Vector256.Create(mask);
            foreach (var v in vectors)
            {
                // Zero lanes compare to all-ones; their sign bits, gathered into one integer, count them at once.
                var zeros = Vector256.Equals(v & maskVector, Vector256<T>.Zero);
                count += BitOperations.PopCount(zeros.ExtractMostSignificantBits());
            }

            i = vectors.Length * Vector256<T>.Count;
        }

        for (; i < values.Length; i++)
        {
            if ((values[i] & mask) == T.Zero)
            {
                count++;
            }
        }

        return count;
    }
}
