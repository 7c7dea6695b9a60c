using System.Runtime.InteropServices;
using CompressBuild.Engine.Onnx;
using Xunit;
using DataType = CompressBuild.Engine.Onnx.Proto.TensorProto.Types.DataType;

namespace CompressBuild.Engine.Tests.Onnx;

public class FloatWideningTests
{
    [Fact]
    public void Half_double_and_integer_values_widen_exactly()
    {
        var result = new float[3];

        Assert.True(FloatWidening.TryWiden((int)DataType.Float16, MemoryMarshal.AsBytes<Half>([(Half)1.5f, (Half)(-2f), (Half)0.25f]), result));
        Assert.Equal([1.5f, -2f, 0.25f], result);
        Assert.True(FloatWidening.TryWiden((int)DataType.Double, MemoryMarshal.AsBytes<double>([3.0, -0.5, 1e3]), result));
        Assert.Equal([3f, -0.5f, 1000f], result);
        Assert.True(FloatWidening.TryWiden((int)DataType.Int64, MemoryMarshal.AsBytes<long>([7L, -9L, 0L]), result));
        Assert.Equal([7f, -9f, 0f], result);
        Assert.True(FloatWidening.TryWiden((int)DataType.Int8, MemoryMarshal.AsBytes<sbyte>([-128, 127, 1]), result));
        Assert.Equal([-128f, 127f, 1f], result);
    }

    [Fact]
    public void Strings_and_complex_numbers_do_not_widen()
    {
        Assert.False(FloatWidening.IsSupported((int)DataType.String));
        Assert.False(FloatWidening.TryWiden((int)DataType.Complex64, new byte[16], new float[2]));
    }
}
