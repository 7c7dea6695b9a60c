using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// Checks a tensor's header against its data before anything computes with it: a real element type, dims that
/// are not negative and whose product (times 16 bytes, the widest element) cannot overflow, and inline data of
/// exactly the size the shape and type need. A hostile model fails here with a code and its file, instead of
/// overflowing an allocation or reaching ONNX Runtime, deep inside a pass.
/// </summary>
public static class TensorChecks
{
    /// <summary>More elements than any tensor can hold in memory, with room left: 2^56 × 16 bytes still fits a long.</summary>
    public const long MaxElements = 1L << 56;

    public static void Validate(TensorProto tensor, string file)
    {
        if (tensor.DataType == 0 || !Enum.IsDefined((TensorProto.Types.DataType)tensor.DataType))
        {
            throw new CompressBuildException(DiagnosticCodes.TensorInvalid, $"tensor '{tensor.Name}' has data type {tensor.DataType}, which is not an ONNX element type.", file);
        }

        var count = ElementCount(tensor.Dims, $"tensor '{tensor.Name}'", file);
        if (ExternalDataReference.IsExternal(tensor))
        {
            return;
        }

        var bits = ElementType.BitsPerElement(tensor.DataType);
        if (tensor.DataType == (int)TensorProto.Types.DataType.String || bits == 0)
        {
            return;
        }

        var expected = ElementType.RawByteCount(tensor.DataType, count);
        if (tensor.HasRawData)
        {
            if (tensor.RawData.Length != expected)
            {
                throw new CompressBuildException(DiagnosticCodes.TensorInvalid,
                    $"tensor '{tensor.Name}' has {tensor.RawData.Length} bytes of raw_data but shape {TensorShape.Format(tensor.Dims)} of {ElementType.Name(tensor.DataType)} needs {expected}.", file);
            }

            return;
        }

        var values = TypedValueCount(tensor);
        if (values != count)
        {
            throw new CompressBuildException(DiagnosticCodes.TensorInvalid,
                $"tensor '{tensor.Name}' holds {values} values but shape {TensorShape.Format(tensor.Dims)} needs {count}.", file);
        }
    }

    /// <summary>The product of <paramref name="dims"/>, refusing negative dims and products beyond <see cref="MaxElements"/> (CB2203).</summary>
    public static long ElementCount(IEnumerable<long> dims, string what, string? file)
    {
        long count = 1;
        var list = dims as IReadOnlyList<long> ?? dims.ToList();
        foreach (var d in list)
        {
            if (d < 0)
            {
                throw new CompressBuildException(DiagnosticCodes.TensorShapeInvalid, $"{what} has shape {TensorShape.Format(list)}, with a negative dimension.", file);
            }
        }

        foreach (var d in list)
        {
            if (d != 0 && count > MaxElements / d)
            {
                throw new CompressBuildException(DiagnosticCodes.TensorShapeInvalid,
                    $"{what} has shape {TensorShape.Format(list)}, more than {MaxElements} elements; no real tensor is that large.", file);
            }

            count *= d;
        }

        return count;
    }

    private static long TypedValueCount(TensorProto tensor) => (TensorProto.Types.DataType)tensor.DataType switch
    {
        TensorProto.Types.DataType.Float => tensor.FloatData.Count,
        TensorProto.Types.DataType.Complex64 => tensor.FloatData.Count / 2,
        TensorProto.Types.DataType.Double => tensor.DoubleData.Count,
        TensorProto.Types.DataType.Complex128 => tensor.DoubleData.Count / 2,
        TensorProto.Types.DataType.Int64 => tensor.Int64Data.Count,
        TensorProto.Types.DataType.Uint64 or TensorProto.Types.DataType.Uint32 => tensor.Uint64Data.Count,
        _ when ElementType.BitsPerElement(tensor.DataType) == 4 => tensor.Int32Data.Count * 2L,
        _ => tensor.Int32Data.Count,
    };
}
