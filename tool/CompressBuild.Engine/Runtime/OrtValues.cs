using System.Runtime.InteropServices;
using System.Text;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Runtime;

/// <summary>Conversions between <see cref="HostTensor"/> and OrtValue, and reading ORT's type information.</summary>
internal static unsafe class OrtValues
{
    public static nint Create(HostTensor tensor)
    {
        var api = OrtApi.Instance;
        nint value;
        fixed (long* shape = tensor.Shape)
        {
            if (tensor.IsString || tensor.Data.Length == 0)
            {
                // ORT owns string storage, and some kernels refuse a null data pointer for empty tensors.
                api.Check(((delegate* unmanaged<nint, long*, nuint, int, nint*, nint>)api.Slot(OrtApiSlot.CreateTensorAsOrtValue))(
                    api.DefaultAllocator, shape, (nuint)tensor.Shape.Length, tensor.ElementType, &value));
                if (tensor.IsString)
                {
                    FillStrings(value, tensor.Strings!);
                }

                return value;
            }

            // The data sits on the pinned object heap, so the pointer stays valid for the tensor's lifetime.
            var data = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(tensor.Data, 0);
            api.Check(((delegate* unmanaged<nint, byte*, nuint, long*, nuint, int, nint*, nint>)api.Slot(OrtApiSlot.CreateTensorWithDataAsOrtValue))(
                api.CpuMemoryInfo, data, (nuint)tensor.Data.Length, shape, (nuint)tensor.Shape.Length, tensor.ElementType, &value));
            return value;
        }
    }

    public static nint[] CreateAll(IReadOnlyList<HostTensor> tensors)
    {
        var values = new nint[tensors.Count];
        try
        {
            for (var i = 0; i < tensors.Count; i++)
            {
                values[i] = Create(tensors[i]);
            }
        }
        catch
        {
            ReleaseAll(values);
            throw;
        }

        return values;
    }

    public static HostTensor ToHostTensor(nint value, string name)
    {
        var api = OrtApi.Instance;
        int kind;
        api.Check(((delegate* unmanaged<nint, int*, nint>)api.Slot(OrtApiSlot.GetValueType))(value, &kind));
        if ((OnnxValueKind)kind != OnnxValueKind.Tensor)
        {
            throw new NotSupportedException($"output '{name}' is a {(OnnxValueKind)kind} value; only tensors are read back.");
        }

        nint info;
        api.Check(((delegate* unmanaged<nint, nint*, nint>)api.Slot(OrtApiSlot.GetTensorTypeAndShape))(value, &info));
        int elementType;
        long[] shape;
        using (new OrtHandle(info, OrtHandleKind.TensorTypeAndShapeInfo))
        {
            (elementType, shape, _) = DescribeTensorInfo(info, withSymbols: false);
        }

        if (elementType == (int)TensorProto.Types.DataType.String)
        {
            return HostTensor.FromStrings(name, shape, ReadStrings(value, shape.Aggregate(1L, (a, d) => a * d)));
        }

        var tensor = HostTensor.Zeros(name, elementType, shape);
        if (tensor.Data.Length > 0)
        {
            nint data;
            api.Check(((delegate* unmanaged<nint, nint*, nint>)api.Slot(OrtApiSlot.GetTensorMutableData))(value, &data));
            new ReadOnlySpan<byte>((void*)data, tensor.Data.Length).CopyTo(tensor.Data);
        }

        return tensor;
    }

    public static ValueInfo DescribeTypeInfo(string name, nint typeInfo)
    {
        var api = OrtApi.Instance;
        int kind;
        api.Check(((delegate* unmanaged<nint, int*, nint>)api.Slot(OrtApiSlot.GetOnnxTypeFromTypeInfo))(typeInfo, &kind));
        if ((OnnxValueKind)kind is not (OnnxValueKind.Tensor or OnnxValueKind.SparseTensor))
        {
            return new ValueInfo(name, (OnnxValueKind)kind, 0, [], []);
        }

        nint tensorInfo;
        api.Check(((delegate* unmanaged<nint, nint*, nint>)api.Slot(OrtApiSlot.CastTypeInfoToTensorInfo))(typeInfo, &tensorInfo));
        var (elementType, shape, symbols) = DescribeTensorInfo(tensorInfo, withSymbols: true);
        return new ValueInfo(name, (OnnxValueKind)kind, elementType, shape, symbols);
    }

    public static void ReleaseAll(nint[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] != 0)
            {
                OrtApi.Instance.Release(OrtHandleKind.Value, values[i]);
                values[i] = 0;
            }
        }
    }

    private static (int ElementType, long[] Shape, string[] Symbols) DescribeTensorInfo(nint info, bool withSymbols)
    {
        var api = OrtApi.Instance;
        int elementType;
        api.Check(((delegate* unmanaged<nint, int*, nint>)api.Slot(OrtApiSlot.GetTensorElementType))(info, &elementType));
        nuint rank;
        api.Check(((delegate* unmanaged<nint, nuint*, nint>)api.Slot(OrtApiSlot.GetDimensionsCount))(info, &rank));
        var shape = new long[(int)rank];
        fixed (long* dims = shape)
        {
            api.Check(((delegate* unmanaged<nint, long*, nuint, nint>)api.Slot(OrtApiSlot.GetDimensions))(info, dims, rank));
        }

        var symbols = new string[(int)rank];
        if (withSymbols && rank > 0)
        {
            var pointers = stackalloc nint[(int)rank];
            api.Check(((delegate* unmanaged<nint, nint*, nuint, nint>)api.Slot(OrtApiSlot.GetSymbolicDimensions))(info, pointers, rank));
            for (var i = 0; i < (int)rank; i++)
            {
                symbols[i] = pointers[i] == 0 ? "" : Marshal.PtrToStringUTF8(pointers[i]) ?? "";
            }
        }
        else
        {
            Array.Fill(symbols, "");
        }

        return (elementType, shape, symbols);
    }

    private static void FillStrings(nint value, string[] strings)
    {
        var api = OrtApi.Instance;
        var pointers = new nint[strings.Length];
        try
        {
            for (var i = 0; i < strings.Length; i++)
            {
                pointers[i] = Marshal.StringToCoTaskMemUTF8(strings[i]);
            }

            fixed (nint* p = pointers)
            {
                api.Check(((delegate* unmanaged<nint, nint*, nuint, nint>)api.Slot(OrtApiSlot.FillStringTensor))(value, p, (nuint)strings.Length));
            }
        }
        finally
        {
            foreach (var pointer in pointers)
            {
                Marshal.FreeCoTaskMem(pointer);
            }
        }
    }

    private static string[] ReadStrings(nint value, long count)
    {
        var api = OrtApi.Instance;
        nuint length;
        api.Check(((delegate* unmanaged<nint, nuint*, nint>)api.Slot(OrtApiSlot.GetStringTensorDataLength))(value, &length));
        var bytes = new byte[(int)length];
        var offsets = new nuint[count];
        fixed (byte* b = bytes)
        fixed (nuint* o = offsets)
        {
            api.Check(((delegate* unmanaged<nint, byte*, nuint, nuint*, nuint, nint>)api.Slot(OrtApiSlot.GetStringTensorContent))(value, b, length, o, (nuint)count));
        }

        var result = new string[count];
        for (var i = 0; i < count; i++)
        {
            var start = (int)offsets[i];
            var end = i + 1 < count ? (int)offsets[i + 1] : bytes.Length;
            result[i] = Encoding.UTF8.GetString(bytes, start, end - start);
        }

        return result;
    }
}
