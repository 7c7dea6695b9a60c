using System.Runtime.InteropServices;
using CompressBuild.Engine.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace CompressBuild.Engine.Runtime;

/// <summary>Conversions between <see cref="HostTensor"/> and the managed API's OrtValue, and its metadata into <see cref="ValueInfo"/>.</summary>
internal static class OrtValues
{
    /// <summary>
    /// An OrtValue over the tensor's own bytes (they sit on the pinned object heap, so ORT reads and writes them in
    /// place for the tensor's lifetime); string and empty tensors get ORT-owned storage.
    /// </summary>
    public static OrtValue Create(HostTensor tensor)
    {
        if (tensor.IsString)
        {
            var strings = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, tensor.Shape);
            for (var i = 0; i < tensor.Strings!.Length; i++)
            {
                strings.StringTensorSetElementAt(tensor.Strings[i].AsSpan(), i);
            }

            return strings;
        }

        if (tensor.Data.Length == 0)
        {
            // Some kernels refuse a null data pointer for empty tensors.
            return OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, (TensorElementType)tensor.ElementType, tensor.Shape);
        }

        var data = Marshal.UnsafeAddrOfPinnedArrayElement(tensor.Data, 0);
        return OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, (TensorElementType)tensor.ElementType, tensor.Shape, data, tensor.Data.Length);
    }

    public static OrtValue[] CreateAll(IReadOnlyList<HostTensor> tensors)
    {
        var values = new OrtValue[tensors.Count];
        try
        {
            for (var i = 0; i < tensors.Count; i++)
            {
                values[i] = Create(tensors[i]);
            }
        }
        catch
        {
            DisposeAll(values);
            throw;
        }

        return values;
    }

    /// <param name="reuse">A tensor to copy into instead of a new one, used when its name, element type and shape match.</param>
    public static HostTensor ToHostTensor(OrtValue value, string name, HostTensor? reuse = null)
    {
        if (value.OnnxType != OnnxValueType.ONNX_TYPE_TENSOR)
        {
            throw new NotSupportedException($"output '{name}' is a {(OnnxValueKind)(int)value.OnnxType} value; only tensors are read back.");
        }

        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape;
        if ((int)info.ElementDataType == (int)TensorProto.Types.DataType.String)
        {
            return HostTensor.FromStrings(name, shape, value.GetStringTensorAsArray());
        }

        var tensor = reuse is { IsString: false } && reuse.Name == name && reuse.ElementType == (int)info.ElementDataType && reuse.Shape.SequenceEqual(shape)
            ? reuse
            : HostTensor.Zeros(name, (int)info.ElementDataType, shape);
        if (tensor.Data.Length > 0)
        {
            value.GetTensorMutableRawData()[..tensor.Data.Length].CopyTo(tensor.Data);
        }

        return tensor;
    }

    public static ValueInfo Describe(string name, NodeMetadata metadata)
    {
        var kind = (OnnxValueKind)(int)metadata.OnnxValueType;
        if (kind is not (OnnxValueKind.Tensor or OnnxValueKind.SparseTensor))
        {
            return new ValueInfo(name, kind, 0, [], []);
        }

        var shape = metadata.Dimensions.Select(d => (long)d).ToArray();
        var symbols = metadata.SymbolicDimensions.Select(s => s ?? "").ToArray();
        return new ValueInfo(name, kind, (int)metadata.ElementDataType, shape, symbols);
    }

    public static void DisposeAll(OrtValue?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i]?.Dispose();
            values[i] = null;
        }
    }
}
