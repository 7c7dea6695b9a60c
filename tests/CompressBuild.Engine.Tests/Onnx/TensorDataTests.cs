using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using Google.Protobuf;
using Xunit;
using DataType = CompressBuild.Engine.Onnx.Proto.TensorProto.Types.DataType;

namespace CompressBuild.Engine.Tests.Onnx;

public class TensorDataTests
{
    private static readonly OnnxModel NoModel = new(new ModelProto(), null);

    [Fact]
    public void Float_values_read_the_same_from_raw_data_and_float_data()
    {
        float[] values = [1.5f, -2f, 0f, float.MaxValue];
        var raw = TensorData.FromArray<float>("r", [4], values);
        var typed = new TensorProto { Name = "t", DataType = (int)DataType.Float, Dims = { 4 }, FloatData = { values } };

        Assert.Equal(values, TensorData.ToArray<float>(raw, NoModel));
        Assert.Equal(values, TensorData.ToArray<float>(typed, NoModel));
        Assert.Equal(TensorData.ReadRawBytes(raw, NoModel), TensorData.ReadRawBytes(typed, NoModel));
    }

    [Fact]
    public void Half_precision_in_int32_data_holds_bit_patterns()
    {
        Half[] values = [(Half)1.5f, (Half)(-0.25f), Half.MaxValue];
        var typed = new TensorProto { DataType = (int)DataType.Float16, Dims = { 3 } };
        typed.Int32Data.Add(values.Select(v => (int)BitConverter.HalfToUInt16Bits(v)));

        Assert.Equal(values, TensorData.ToArray<Half>(typed, NoModel));
        Assert.Equal([1.5f, -0.25f, 65504f], TensorData.ToSingles(typed, NoModel));
    }

    [Fact]
    public void Bfloat16_widens_to_float()
    {
        var tensor = new TensorProto { DataType = (int)DataType.Bfloat16, Dims = { 2 }, RawData = ByteString.CopyFrom(0x80, 0x3F, 0x00, 0xC0) };

        Assert.Equal([1f, -2f], TensorData.ToSingles(tensor, NoModel));
    }

    [Theory]
    [InlineData(DataType.Int8, new int[] { -128, 0, 127 })]
    [InlineData(DataType.Uint8, new int[] { 0, 200, 255 })]
    [InlineData(DataType.Int16, new int[] { -30000, 1, 30000 })]
    [InlineData(DataType.Uint16, new int[] { 0, 1, 65535 })]
    [InlineData(DataType.Int32, new int[] { int.MinValue, 0, int.MaxValue })]
    [InlineData(DataType.Bool, new int[] { 1, 0, 1 })]
    public void Narrow_integers_in_int32_data_widen_to_float(DataType type, int[] values)
    {
        var typed = new TensorProto { DataType = (int)type, Dims = { values.Length }, Int32Data = { values } };

        Assert.Equal(values.Select(v => (float)v), TensorData.ToSingles(typed, NoModel));
        Assert.Equal(ElementType.RawByteCount((int)type, values.Length), TensorData.ReadRawBytes(typed, NoModel).Length);
    }

    [Fact]
    public void Int64_uint64_double_and_uint32_typed_fields_read_back()
    {
        Assert.Equal([-5L, 7L], TensorData.ToArray<long>(new TensorProto { DataType = (int)DataType.Int64, Dims = { 2 }, Int64Data = { -5, 7 } }, NoModel));
        Assert.Equal([ulong.MaxValue], TensorData.ToArray<ulong>(new TensorProto { DataType = (int)DataType.Uint64, Dims = { 1 }, Uint64Data = { ulong.MaxValue } }, NoModel));
        Assert.Equal([0.1, -2.0], TensorData.ToArray<double>(new TensorProto { DataType = (int)DataType.Double, Dims = { 2 }, DoubleData = { 0.1, -2.0 } }, NoModel));
        Assert.Equal([4_000_000_000u], TensorData.ToArray<uint>(new TensorProto { DataType = (int)DataType.Uint32, Dims = { 1 }, Uint64Data = { 4_000_000_000 } }, NoModel));
    }

    [Fact]
    public void Bools_read_as_bools()
    {
        Assert.Equal([true, false, true], TensorData.ToArray<bool>(TensorData.FromArray<bool>("b", [3], [true, false, true]), NoModel));
    }

    [Fact]
    public void Asking_for_the_wrong_type_is_CB2007()
    {
        var tensor = TensorData.FromArray<float>("w", [2], [1f, 2f]);

        var error = Assert.Throws<CompressBuildException>(() => TensorData.ToArray<int>(tensor, NoModel));

        Assert.Equal(DiagnosticCodes.TensorInvalid, error.Code);
        Assert.Contains("'w' is float32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Raw_data_shorter_than_the_shape_is_CB2007()
    {
        var tensor = new TensorProto { Name = "short", DataType = (int)DataType.Float, Dims = { 4 }, RawData = ByteString.CopyFrom(new byte[8]) };

        Assert.Equal(DiagnosticCodes.TensorInvalid, Assert.Throws<CompressBuildException>(() => TensorData.ToArray<float>(tensor, NoModel)).Code);
    }

    [Fact]
    public void String_tensors_have_no_raw_form()
    {
        var tensor = new TensorProto { DataType = (int)DataType.String, Dims = { 1 }, StringData = { ByteString.CopyFromUtf8("x") } };

        Assert.Equal(DiagnosticCodes.TensorInvalid, Assert.Throws<CompressBuildException>(() => TensorData.ReadRawBytes(tensor, NoModel)).Code);
        Assert.Equal(1, TensorData.StoredByteCount(tensor));
    }

    [Fact]
    public void Four_bit_types_pack_two_per_byte()
    {
        Assert.Equal(3, ElementType.RawByteCount((int)DataType.Int4, 5));
        Assert.Equal(4, ElementType.RawByteCount((int)DataType.Uint4, 8));
    }
}
