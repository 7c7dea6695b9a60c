using System.Runtime.InteropServices;
using CompressBuild.Engine.Inspection;
using Xunit;
using DataType = CompressBuild.Engine.Onnx.Proto.TensorProto.Types.DataType;

namespace CompressBuild.Engine.Tests.Inspection;

public class ZeroCounterTests
{
    [Theory]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1001)]
    public void Counts_positive_and_negative_zero_across_vector_and_tail(int length)
    {
        var values = Enumerable.Range(0, length).Select(i => i % 3 == 0 ? 0f : i % 3 == 1 ? -0f * i : i).ToArray();
        var expected = values.Count(v => v == 0f);

        Assert.Equal(expected, ZeroCounter.Count(MemoryMarshal.AsBytes(values.AsSpan()), (int)DataType.Float));
    }

    [Fact]
    public void Counts_half_and_byte_zeros()
    {
        Half[] halves = [Half.Zero, Half.NegativeZero, (Half)1, Half.Epsilon];
        sbyte[] bytes = [0, -1, 0, 127, 0];

        Assert.Equal(2, ZeroCounter.Count(MemoryMarshal.AsBytes(halves.AsSpan()), (int)DataType.Float16));
        Assert.Equal(3, ZeroCounter.Count(MemoryMarshal.AsBytes(bytes.AsSpan()), (int)DataType.Int8));
    }
}
