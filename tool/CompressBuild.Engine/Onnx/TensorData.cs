using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx.Proto;
using Google.Protobuf;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// The bytes of a tensor in ONNX's raw form (little-endian, sub-byte types packed), whichever way the model
/// stores them: <c>raw_data</c>, a typed field (<c>float_data</c>, <c>int32_data</c>, ...), or external data.
/// </summary>
public static class TensorData
{
    /// <summary>Size of the tensor's raw form, computed from its shape and type, without reading any data.</summary>
    public static long RawByteCount(TensorProto tensor) => ElementType.RawByteCount(tensor.DataType, TensorShape.ElementCount(tensor));

    /// <summary>Bytes the tensor's values take where they are stored now (raw, typed field, or external length).</summary>
    public static long StoredByteCount(TensorProto tensor)
    {
        if (ExternalDataReference.IsExternal(tensor))
        {
            return RawByteCount(tensor);
        }

        if (tensor.HasRawData)
        {
            return tensor.RawData.Length;
        }

        if (tensor.DataType == (int)TensorProto.Types.DataType.String)
        {
            return tensor.StringData.Sum(s => (long)s.Length);
        }

        return RawByteCount(tensor);
    }

    public static byte[] ReadRawBytes(TensorProto tensor, OnnxModel model) => ReadRawBytes(tensor, model.BaseDirectory, model.DisplayName);

    /// <summary>
    /// The raw bytes for reading only: an inline <c>raw_data</c> tensor (the common case) is viewed in place with
    /// no copy; typed fields and external data are read into a new array.
    /// </summary>
    public static ReadOnlyMemory<byte> RawBytes(TensorProto tensor, OnnxModel model) =>
        tensor.HasRawData && !ExternalDataReference.IsExternal(tensor) && tensor.DataType != (int)TensorProto.Types.DataType.String
            ? tensor.RawData.Memory
            : ReadRawBytes(tensor, model);

    public static byte[] ReadRawBytes(TensorProto tensor, string? baseDirectory, string file)
    {
        var size = RawByteCount(tensor);
        if (size > Array.MaxLength)
        {
            throw new CompressBuildException(DiagnosticCodes.TensorShapeInvalid,
                $"tensor '{tensor.Name}' ({TensorShape.Format(tensor.Dims)} of {ElementType.Name(tensor.DataType)}) needs {size} bytes, more than one array can hold.", file);
        }

        using var buffer = new MemoryStream((int)Math.Max(0, size));
        CopyRawBytesTo(tensor, baseDirectory, file, buffer);
        return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
    }

    /// <summary>Streams the tensor's raw bytes to <paramref name="destination"/>; external data is copied in chunks.</summary>
    public static void CopyRawBytesTo(TensorProto tensor, string? baseDirectory, string file, Stream destination)
    {
        if (tensor.DataType == (int)TensorProto.Types.DataType.String)
        {
            throw new CompressBuildException(DiagnosticCodes.TensorInvalid, $"tensor '{tensor.Name}' holds strings, which have no raw byte form.", file);
        }

        if (ExternalDataReference.IsExternal(tensor))
        {
            CopyExternal(tensor, baseDirectory, file, destination);
            return;
        }

        if (tensor.HasRawData)
        {
            destination.Write(tensor.RawData.Span);
            return;
        }

        WriteTypedFields(tensor, destination);
    }

    /// <summary>The tensor's values as <typeparamref name="T"/>; the element type must be exactly T's.</summary>
    public static T[] ToArray<T>(TensorProto tensor, OnnxModel model)
        where T : unmanaged
    {
        var expected = ElementTypeOf<T>();
        if (!expected.Contains(tensor.DataType))
        {
            throw new CompressBuildException(DiagnosticCodes.TensorInvalid,
                $"tensor '{tensor.Name}' is {ElementType.Name(tensor.DataType)}, not {typeof(T).Name}.", model.DisplayName);
        }

        var bytes = RawBytes(tensor, model).Span;
        var count = TensorShape.ElementCount(tensor);
        if (bytes.Length != count * Unsafe.SizeOf<T>())
        {
            throw new CompressBuildException(DiagnosticCodes.TensorInvalid,
                $"tensor '{tensor.Name}' has {bytes.Length} bytes of data but shape {TensorShape.Format(tensor.Dims)} needs {count * Unsafe.SizeOf<T>()}.", model.DisplayName);
        }

        return MemoryMarshal.Cast<byte, T>(bytes).ToArray();
    }

    /// <summary>Any real-valued tensor widened to float32 (the form quantization and pruning compute in).</summary>
    public static float[] ToSingles(TensorProto tensor, OnnxModel model)
    {
        var bytes = RawBytes(tensor, model).Span;
        var count = checked((int)TensorShape.ElementCount(tensor));
        var result = new float[count];
        var bits = ElementType.BitsPerElement(tensor.DataType);
        if (bits is 0 or < 8 || bytes.Length < (long)count * bits / 8)
        {
            throw new CompressBuildException(DiagnosticCodes.TensorInvalid,
                $"tensor '{tensor.Name}' ({ElementType.Name(tensor.DataType)}, shape {TensorShape.Format(tensor.Dims)}) cannot be read as numbers.", model.DisplayName);
        }

        if (!FloatWidening.TryWiden(tensor.DataType, bytes, result))
        {
            throw new CompressBuildException(DiagnosticCodes.TensorInvalid,
                $"tensor '{tensor.Name}' is {ElementType.Name(tensor.DataType)}, which cannot be widened to float32.", model.DisplayName);
        }

        return result;
    }

    /// <summary>A tensor holding <paramref name="values"/> in <c>raw_data</c>, the compact form every writer accepts.</summary>
    public static TensorProto FromArray<T>(string name, ReadOnlySpan<long> dims, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        var tensor = new TensorProto { Name = name, DataType = ElementTypeOf<T>()[0] };
        tensor.Dims.Add(dims.ToArray());
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        return tensor;
    }

    internal static int[] ElementTypeOf<T>()
        where T : unmanaged
    {
        return typeof(T) switch
        {
            var t when t == typeof(float) => [(int)TensorProto.Types.DataType.Float],
            var t when t == typeof(double) => [(int)TensorProto.Types.DataType.Double],
            var t when t == typeof(Half) => [(int)TensorProto.Types.DataType.Float16],
            var t when t == typeof(sbyte) => [(int)TensorProto.Types.DataType.Int8],
            var t when t == typeof(byte) => [(int)TensorProto.Types.DataType.Uint8],
            var t when t == typeof(short) => [(int)TensorProto.Types.DataType.Int16],
            var t when t == typeof(ushort) => [(int)TensorProto.Types.DataType.Uint16, (int)TensorProto.Types.DataType.Bfloat16],
            var t when t == typeof(int) => [(int)TensorProto.Types.DataType.Int32],
            var t when t == typeof(uint) => [(int)TensorProto.Types.DataType.Uint32],
            var t when t == typeof(long) => [(int)TensorProto.Types.DataType.Int64],
            var t when t == typeof(ulong) => [(int)TensorProto.Types.DataType.Uint64],
            var t when t == typeof(bool) => [(int)TensorProto.Types.DataType.Bool],
            _ => throw new NotSupportedException($"{typeof(T).Name} is not an ONNX element type."),
        };
    }

    private static void CopyExternal(TensorProto tensor, string? baseDirectory, string file, Stream destination)
    {
        var reference = ExternalDataReference.Parse(tensor, file);
        if (baseDirectory is null)
        {
            throw new CompressBuildException(DiagnosticCodes.ExternalDataMissing,
                $"tensor '{tensor.Name}' is stored in external file '{reference.Location}', but the model was not read from a folder to find it in.", file);
        }

        using var source = ConfinedPath.OpenRead(baseDirectory, reference.Location, file)
            ?? throw new CompressBuildException(DiagnosticCodes.ExternalDataMissing,
                $"tensor '{tensor.Name}' is stored in external file '{reference.Location}', which does not exist.", file);
        var length = reference.Length ?? (source.Length - reference.Offset);
        if (reference.Offset > source.Length || length < 0 || length > source.Length - reference.Offset)
        {
            throw new CompressBuildException(DiagnosticCodes.ExternalDataMissing,
                $"tensor '{tensor.Name}' needs bytes {reference.Offset}..{reference.Offset + length} of '{reference.Location}', which has only {source.Length}.", file);
        }

        var expected = RawByteCount(tensor);
        if (length != expected)
        {
            throw new CompressBuildException(DiagnosticCodes.TensorInvalid,
                $"tensor '{tensor.Name}' has {length} bytes of external data but shape {TensorShape.Format(tensor.Dims)} of {ElementType.Name(tensor.DataType)} needs {expected}.", file);
        }

        source.Position = reference.Offset;
        using var sha1 = reference.Checksum is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        var chunk = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            var remaining = length;
            while (remaining > 0)
            {
                var read = source.Read(chunk, 0, (int)Math.Min(chunk.Length, remaining));
                if (read == 0)
                {
                    throw new CompressBuildException(DiagnosticCodes.ExternalDataMissing, $"'{reference.Location}' ended early while reading tensor '{tensor.Name}'.", file);
                }

                destination.Write(chunk, 0, read);
                sha1?.AppendData(chunk, 0, read);
                remaining -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        if (sha1 is not null && !string.Equals(Convert.ToHexString(sha1.GetHashAndReset()), reference.Checksum, StringComparison.OrdinalIgnoreCase))
        {
            throw new CompressBuildException(DiagnosticCodes.ExternalDataChecksumMismatch,
                $"tensor '{tensor.Name}' in '{reference.Location}' does not match its recorded SHA-1 checksum {reference.Checksum}: the data file was changed or damaged.", file);
        }
    }

    private static void WriteTypedFields(TensorProto tensor, Stream destination)
    {
        // The typed fields hold one (widened) value per element; the raw form is the narrow little-endian value.
        Span<byte> scratch = stackalloc byte[8];
        switch ((TensorProto.Types.DataType)tensor.DataType)
        {
            case TensorProto.Types.DataType.Float:
            case TensorProto.Types.DataType.Complex64:
                foreach (var v in tensor.FloatData)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(scratch, v);
                    destination.Write(scratch[..4]);
                }

                break;
            case TensorProto.Types.DataType.Double:
            case TensorProto.Types.DataType.Complex128:
                foreach (var v in tensor.DoubleData)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(scratch, v);
                    destination.Write(scratch);
                }

                break;
            case TensorProto.Types.DataType.Int64:
                foreach (var v in tensor.Int64Data)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(scratch, v);
                    destination.Write(scratch);
                }

                break;
            case TensorProto.Types.DataType.Uint64:
                foreach (var v in tensor.Uint64Data)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(scratch, v);
                    destination.Write(scratch);
                }

                break;
            case TensorProto.Types.DataType.Uint32:
                foreach (var v in tensor.Uint64Data)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(scratch, (uint)v);
                    destination.Write(scratch[..4]);
                }

                break;
            case TensorProto.Types.DataType.Int32:
                foreach (var v in tensor.Int32Data)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(scratch, v);
                    destination.Write(scratch[..4]);
                }

                break;
            case TensorProto.Types.DataType.Int16:
            case TensorProto.Types.DataType.Uint16:
            case TensorProto.Types.DataType.Float16:
            case TensorProto.Types.DataType.Bfloat16:
                foreach (var v in tensor.Int32Data)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(scratch, (ushort)v);
                    destination.Write(scratch[..2]);
                }

                break;
            default:
                // int8, uint8, bool, the float8 family and packed 4-bit pairs: one byte per int32 entry.
                foreach (var v in tensor.Int32Data)
                {
                    destination.WriteByte((byte)v);
                }

                break;
        }
    }
}
