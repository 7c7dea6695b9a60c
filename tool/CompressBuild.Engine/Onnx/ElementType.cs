using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Onnx;

/// <summary>Facts about ONNX element types: names, byte sizes, and which typed protobuf field holds them.</summary>
public static class ElementType
{
    public static string Name(int dataType) => (TensorProto.Types.DataType)dataType switch
    {
        TensorProto.Types.DataType.Float => "float32",
        TensorProto.Types.DataType.Uint8 => "uint8",
        TensorProto.Types.DataType.Int8 => "int8",
        TensorProto.Types.DataType.Uint16 => "uint16",
        TensorProto.Types.DataType.Int16 => "int16",
        TensorProto.Types.DataType.Int32 => "int32",
        TensorProto.Types.DataType.Int64 => "int64",
        TensorProto.Types.DataType.String => "string",
        TensorProto.Types.DataType.Bool => "bool",
        TensorProto.Types.DataType.Float16 => "float16",
        TensorProto.Types.DataType.Double => "float64",
        TensorProto.Types.DataType.Uint32 => "uint32",
        TensorProto.Types.DataType.Uint64 => "uint64",
        TensorProto.Types.DataType.Complex64 => "complex64",
        TensorProto.Types.DataType.Complex128 => "complex128",
        TensorProto.Types.DataType.Bfloat16 => "bfloat16",
        TensorProto.Types.DataType.Float8E4M3Fn => "float8e4m3fn",
        TensorProto.Types.DataType.Float8E4M3Fnuz => "float8e4m3fnuz",
        TensorProto.Types.DataType.Float8E5M2 => "float8e5m2",
        TensorProto.Types.DataType.Float8E5M2Fnuz => "float8e5m2fnuz",
        TensorProto.Types.DataType.Uint4 => "uint4",
        TensorProto.Types.DataType.Int4 => "int4",
        _ => $"type{dataType}",
    };

    /// <summary>Bits per element in raw (little-endian, packed) form; 0 for strings and unknown types.</summary>
    public static int BitsPerElement(int dataType) => (TensorProto.Types.DataType)dataType switch
    {
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 => 32,
        TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Bool => 8,
        TensorProto.Types.DataType.Float8E4M3Fn or TensorProto.Types.DataType.Float8E4M3Fnuz => 8,
        TensorProto.Types.DataType.Float8E5M2 or TensorProto.Types.DataType.Float8E5M2Fnuz => 8,
        TensorProto.Types.DataType.Uint16 or TensorProto.Types.DataType.Int16 => 16,
        TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16 => 16,
        TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64 or TensorProto.Types.DataType.Double => 64,
        TensorProto.Types.DataType.Complex64 => 64,
        TensorProto.Types.DataType.Complex128 => 128,
        TensorProto.Types.DataType.Uint4 or TensorProto.Types.DataType.Int4 => 4,
        _ => 0,
    };

    public static bool IsFloatingPoint(int dataType) => (TensorProto.Types.DataType)dataType is
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16 or TensorProto.Types.DataType.Double;

    /// <summary>Bytes of the raw little-endian form of <paramref name="elementCount"/> elements (sub-byte types packed).</summary>
    public static long RawByteCount(int dataType, long elementCount) => (elementCount * BitsPerElement(dataType) + 7) / 8;
}
