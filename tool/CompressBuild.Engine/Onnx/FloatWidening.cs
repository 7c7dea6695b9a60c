using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// Widens raw little-endian values of any real ONNX element type to float32, the form quantization, pruning and
/// metrics compute in. Float16 and the common integer types use <see cref="TensorPrimitives"/>' vectorized
/// conversions.
/// </summary>
public static class FloatWidening
{
    public static bool IsSupported(int elementType) => (TensorProto.Types.DataType)elementType is
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Float16 or
        TensorProto.Types.DataType.Bfloat16 or TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Uint8 or
        TensorProto.Types.DataType.Bool or TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Uint16 or
        TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 or TensorProto.Types.DataType.Int64 or
        TensorProto.Types.DataType.Uint64;

    /// <summary>Converts the first <paramref name="destination"/>.Length values; false for non-real types.</summary>
    public static bool TryWiden(int elementType, ReadOnlySpan<byte> bytes, Span<float> destination)
    {
        switch ((TensorProto.Types.DataType)elementType)
        {
            case TensorProto.Types.DataType.Float:
                MemoryMarshal.Cast<byte, float>(bytes)[..destination.Length].CopyTo(destination);
                return true;
            case TensorProto.Types.DataType.Double:
                TensorPrimitives.ConvertTruncating<double, float>(MemoryMarshal.Cast<byte, double>(bytes)[..destination.Length], destination);
                return true;
            case TensorProto.Types.DataType.Float16:
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(bytes)[..destination.Length], destination);
                return true;
            case TensorProto.Types.DataType.Bfloat16:
                Each(MemoryMarshal.Cast<byte, ushort>(bytes), destination, v => BitConverter.Int32BitsToSingle(v << 16));
                return true;
            case TensorProto.Types.DataType.Int8:
                TensorPrimitives.ConvertChecked<sbyte, float>(MemoryMarshal.Cast<byte, sbyte>(bytes)[..destination.Length], destination);
                return true;
            case TensorProto.Types.DataType.Uint8:
            case TensorProto.Types.DataType.Bool:
                TensorPrimitives.ConvertChecked<byte, float>(bytes[..destination.Length], destination);
                return true;
            case TensorProto.Types.DataType.Int16:
                TensorPrimitives.ConvertChecked<short, float>(MemoryMarshal.Cast<byte, short>(bytes)[..destination.Length], destination);
                return true;
            case TensorProto.Types.DataType.Uint16:
                TensorPrimitives.ConvertChecked<ushort, float>(MemoryMarshal.Cast<byte, ushort>(bytes)[..destination.Length], destination);
                return true;
            case TensorProto.Types.DataType.Int32:
                TensorPrimitives.ConvertChecked<int, float>(MemoryMarshal.Cast<byte, int>(bytes)[..destination.Length], destination);
                return true;
            case TensorProto.Types.DataType.Uint32:
                TensorPrimitives.ConvertChecked<uint, float>(MemoryMarshal.Cast<byte, uint>(bytes)[..destination.Length], destination);
                return true;
            case TensorProto.Types.DataType.Int64:
                TensorPrimitives.ConvertChecked<long, float>(MemoryMarshal.Cast<byte, long>(bytes)[..destination.Length], destination);
                return true;
            case TensorProto.Types.DataType.Uint64:
                TensorPrimitives.ConvertChecked<ulong, float>(MemoryMarshal.Cast<byte, ulong>(bytes)[..destination.Length], destination);
                return true;
            default:
                return false;
        }
    }

    private static void Each<TIn>(ReadOnlySpan<TIn> source, Span<float> destination, Func<TIn, float> convert)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = convert(source[i]);
        }
    }
}
