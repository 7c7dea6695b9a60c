using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using Google.Protobuf;

namespace CompressBuild.Engine.Runtime;

/// <summary>
/// A named tensor in managed memory, laid out as ONNX Runtime wants it: raw little-endian bytes in an array on
/// the pinned object heap (so ORT can read and write it in place with no copy and no pinning per call), or an
/// array of strings for string tensors.
/// </summary>
public sealed class HostTensor
{
    private HostTensor(string name, int elementType, long[] shape, byte[] data, string[]? strings)
    {
        Name = name;
        ElementType = elementType;
        Shape = shape;
        Data = data;
        Strings = strings;
    }

    public string Name { get; }

    /// <summary>ONNX element type (TensorProto.DataType); ORT's ONNXTensorElementDataType uses the same numbers.</summary>
    public int ElementType { get; }

    public long[] Shape { get; }

    /// <summary>Raw little-endian values; empty for string tensors.</summary>
    public byte[] Data { get; }

    public string[]? Strings { get; }

    public bool IsString => ElementType == (int)TensorProto.Types.DataType.String;

    public long ElementCount => Shape.Aggregate(1L, (a, d) => checked(a * d));

    public static HostTensor Zeros(string name, int elementType, long[] shape)
    {
        var count = Onnx.TensorChecks.ElementCount(shape, $"tensor '{name}'", file: null);
        if (Onnx.ElementType.RawByteCount(elementType, count) > Array.MaxLength || (elementType == (int)TensorProto.Types.DataType.String && count > Array.MaxLength))
        {
            throw new CompressBuildException(DiagnosticCodes.DataTooLarge,
                $"tensor '{name}' of shape {Onnx.TensorShape.Format(shape)} needs more memory than one array can hold; use smaller dimensions.");
        }

        if (elementType == (int)TensorProto.Types.DataType.String)
        {
            return new HostTensor(name, elementType, shape, [], Enumerable.Repeat("", checked((int)count)).ToArray());
        }

        var bytes = checked((int)Onnx.ElementType.RawByteCount(elementType, count));
        return new HostTensor(name, elementType, shape, GC.AllocateArray<byte>(bytes, pinned: true), null);
    }

    public static HostTensor FromBytes(string name, int elementType, long[] shape, ReadOnlySpan<byte> data)
    {
        var tensor = Zeros(name, elementType, shape);
        if (data.Length != tensor.Data.Length)
        {
            throw new ArgumentException($"tensor '{name}' of {Onnx.ElementType.Name(elementType)} {TensorShape.Format(shape)} needs {tensor.Data.Length} bytes, got {data.Length}.");
        }

        data.CopyTo(tensor.Data);
        return tensor;
    }

    public static HostTensor FromArray<T>(string name, long[] shape, ReadOnlySpan<T> values)
        where T : unmanaged => FromBytes(name, TensorData.ElementTypeOf<T>()[0], shape, MemoryMarshal.AsBytes(values));

    public static HostTensor FromStrings(string name, long[] shape, string[] values) =>
        new(name, (int)TensorProto.Types.DataType.String, shape, [], values);

    /// <summary>Reads a TensorProto (any storage, including external data relative to <paramref name="baseDirectory"/>).</summary>
    public static HostTensor FromProto(TensorProto proto, string? name = null, string? baseDirectory = null, string file = "tensor")
    {
        TensorChecks.Validate(proto, file);
        var shape = proto.Dims.ToArray();
        var tensorName = name ?? proto.Name;
        if (proto.DataType == (int)TensorProto.Types.DataType.String)
        {
            return FromStrings(tensorName, shape, proto.StringData.Select(s => s.ToStringUtf8()).ToArray());
        }

        HostTensor tensor;
        try
        {
            tensor = Zeros(tensorName, proto.DataType, shape);
        }
        catch (CompressBuildException e) when (e.File is null)
        {
            throw new CompressBuildException(e.Code, e.Message, file, inner: e);
        }

        using var stream = new MemoryStream(tensor.Data, writable: true);
        TensorData.CopyRawBytesTo(proto, baseDirectory, file, stream);
        if (stream.Position != tensor.Data.Length)
        {
            throw new Diagnostics.CompressBuildException(Diagnostics.DiagnosticCodes.TensorInvalid,
                $"tensor '{tensorName}' has {stream.Position} bytes of data but {Onnx.ElementType.Name(proto.DataType)} {TensorShape.Format(shape)} needs {tensor.Data.Length}.", file);
        }

        return tensor;
    }

    public TensorProto ToProto()
    {
        var proto = new TensorProto { Name = Name, DataType = ElementType };
        proto.Dims.Add(Shape);
        if (IsString)
        {
            proto.StringData.Add(Strings!.Select(ByteString.CopyFromUtf8));
        }
        else
        {
            proto.RawData = ByteString.CopyFrom(Data);
        }

        return proto;
    }

    public Span<T> AsSpan<T>()
        where T : unmanaged
    {
        if (Data.Length % Unsafe.SizeOf<T>() != 0)
        {
            throw new InvalidOperationException($"tensor '{Name}' of {Onnx.ElementType.Name(ElementType)} cannot be viewed as {typeof(T).Name}.");
        }

        return MemoryMarshal.Cast<byte, T>(Data.AsSpan());
    }
}
