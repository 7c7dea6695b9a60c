using System.Buffers.Binary;
using System.Globalization;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;
using DataType = CompressBuild.Engine.Onnx.Proto.TensorProto.Types.DataType;

namespace CompressBuild.Conformance.Tests;

/// <summary>
/// Compares tensors the way ONNX's backend tests do (onnx.backend.test.runner: numpy's assert_allclose with
/// rtol=1e-3, atol=1e-7, NaN equal to NaN, and exact equality for strings), plus an exact bitwise comparison.
/// Both return null when the tensors agree and otherwise a message naming the first differing element.
/// </summary>
internal static class TensorComparer
{
    public const double RelativeTolerance = 1e-3;

    public const double AbsoluteTolerance = 1e-7;

    /// <summary>
    /// Element type and shape must match exactly. Floating-point values (float16 and bfloat16 widened, complex
    /// numbers component by component) must satisfy |actual - expected| &lt;= atol + rtol * |expected|, with NaN
    /// matching NaN and infinities matching only themselves; integers, bools and strings must be equal.
    /// </summary>
    public static string? Compare(HostTensor expected, HostTensor actual)
    {
        if (Header(expected, actual) is { } header)
        {
            return header;
        }

        if (expected.IsString)
        {
            return FirstDifference(expected, actual, i => string.Equals(expected.Strings![i], actual.Strings![i], StringComparison.Ordinal), i => Quote(expected.Strings![i]), i =>
                Quote(actual.Strings![i]));
        }

        var components = Components(expected.ElementType);
        if (components > 0)
        {
            return FirstDifference(expected, actual, i => Close(Real(expected, i), Real(actual, i)), i => Show(Real(expected, i)), i => Show(Real(actual, i)), components);
        }

        if (expected.ElementType == (int)DataType.Bool)
        {
            // Any non-zero byte is true; a bool is compared by truth, not by its byte.
            return FirstDifference(expected, actual, i => (expected.Data[i] != 0) == (actual.Data[i] != 0), i => Show(expected.Data[i] != 0), i => Show(actual.Data[i] != 0));
        }

        var size = ElementType.BitsPerElement(expected.ElementType) / 8;
        if (size == 0)
        {
            // Sub-byte types (int4, uint4): packed bytes, compared as stored.
            return expected.Data.AsSpan().SequenceEqual(actual.Data) ? null : "packed sub-byte data differs";
        }

        return FirstDifference(expected, actual, i => expected.Data.AsSpan(i * size, size).SequenceEqual(actual.Data.AsSpan(i * size, size)), i => Integer(expected, i, size), i =>
            Integer(actual, i, size));
    }

    /// <summary>Exact equality: same type, shape and bytes (or strings). NaN payloads included.</summary>
    public static string? CompareBits(HostTensor expected, HostTensor actual)
    {
        if (Header(expected, actual) is { } header)
        {
            return header;
        }

        if (expected.IsString)
        {
            return FirstDifference(expected, actual, i => string.Equals(expected.Strings![i], actual.Strings![i], StringComparison.Ordinal), i => Quote(expected.Strings![i]), i =>
                Quote(actual.Strings![i]));
        }

        var index = expected.Data.AsSpan().CommonPrefixLength(actual.Data);
        return index == expected.Data.Length ? null : $"'{expected.Name}': byte {index} of {expected.Data.Length} differs (0x{expected.Data[index]:X2} vs 0x{actual.Data[index]:X2})";
    }

    private static string? Header(HostTensor expected, HostTensor actual)
    {
        if (expected.ElementType != actual.ElementType)
        {
            return $"'{expected.Name}': expected {ElementType.Name(expected.ElementType)}, got {ElementType.Name(actual.ElementType)}";
        }

        if (!expected.Shape.AsSpan().SequenceEqual(actual.Shape))
        {
            return $"'{expected.Name}': expected shape {TensorShape.Format(expected.Shape)}, got {TensorShape.Format(actual.Shape)}";
        }

        return null;
    }

    /// <summary>Scans every element so the message can say how many differ, and reports the first.</summary>
    private static string? FirstDifference(HostTensor expected, HostTensor actual, Func<int, bool> equal, Func<int, string> showExpected, Func<int, string> showActual, int components = 1)
    {
        var count = checked((int)expected.ElementCount * components);
        var first = -1;
        var differing = 0;
        for (var i = 0; i < count; i++)
        {
            if (!equal(i))
            {
                differing++;
                if (first < 0)
                {
                    first = i;
                }
            }
        }

        if (first < 0)
        {
            return null;
        }

        var where = TensorShape.Format(Unflatten(first / components, expected.Shape)) + (components == 2 ? (first % 2 == 0 ? ".real" : ".imag") : "");
        return $"'{expected.Name}' {ElementType.Name(expected.ElementType)} {TensorShape.Format(expected.Shape)}: {differing} of {count} values differ; first at {where}: expected " +
            $"{showExpected(first)}, got {showActual(first)}";
    }

    private static bool Close(double expected, double actual)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual))
        {
            return double.IsNaN(expected) && double.IsNaN(actual);
        }

        if (double.IsInfinity(expected) || double.IsInfinity(actual))
        {
            return expected == actual;
        }

        return Math.Abs(actual - expected) <= AbsoluteTolerance + (RelativeTolerance * Math.Abs(expected));
    }

    /// <summary>Real components per element for floating-point types (2 for complex), 0 for everything else.</summary>
    private static int Components(int elementType) => (DataType)elementType switch
    {
        DataType.Float or DataType.Double or DataType.Float16 or DataType.Bfloat16 => 1,
        DataType.Complex64 or DataType.Complex128 => 2,
        _ => 0,
    };

    /// <summary>The <paramref name="index"/>-th real component, widened to double.</summary>
    private static double Real(HostTensor tensor, int index)
    {
        var data = tensor.Data.AsSpan();
        return (DataType)tensor.ElementType switch
        {
            DataType.Float or DataType.Complex64 => BinaryPrimitives.ReadSingleLittleEndian(data[(index * 4)..]),
            DataType.Double or DataType.Complex128 => BinaryPrimitives.ReadDoubleLittleEndian(data[(index * 8)..]),
            DataType.Float16 => (double)BinaryPrimitives.ReadHalfLittleEndian(data[(index * 2)..]),
            DataType.Bfloat16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(data[(index * 2)..]) << 16),
            _ => throw new NotSupportedException($"{ElementType.Name(tensor.ElementType)} is not floating point."),
        };
    }

    private static string Integer(HostTensor tensor, int index, int size)
    {
        var data = tensor.Data.AsSpan(index * size, size);
        return (DataType)tensor.ElementType switch
        {
            DataType.Int8 => ((sbyte)data[0]).ToString(CultureInfo.InvariantCulture),
            DataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(data).ToString(CultureInfo.InvariantCulture),
            DataType.Uint16 => BinaryPrimitives.ReadUInt16LittleEndian(data).ToString(CultureInfo.InvariantCulture),
            DataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(data).ToString(CultureInfo.InvariantCulture),
            DataType.Uint32 => BinaryPrimitives.ReadUInt32LittleEndian(data).ToString(CultureInfo.InvariantCulture),
            DataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(data).ToString(CultureInfo.InvariantCulture),
            DataType.Uint64 => BinaryPrimitives.ReadUInt64LittleEndian(data).ToString(CultureInfo.InvariantCulture),
            DataType.Uint8 => data[0].ToString(CultureInfo.InvariantCulture),
            _ => "0x" + Convert.ToHexString(data),
        };
    }

    private static long[] Unflatten(long flat, long[] shape)
    {
        var index = new long[shape.Length];
        for (var axis = shape.Length - 1; axis >= 0; axis--)
        {
            index[axis] = flat % shape[axis];
            flat /= shape[axis];
        }

        return index;
    }

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Show(bool value) => value ? "true" : "false";

    private static string Quote(string value) => "\"" + value + "\"";
}
