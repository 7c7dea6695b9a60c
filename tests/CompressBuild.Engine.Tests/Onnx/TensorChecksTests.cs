using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Testing;
using Google.Protobuf;
using Xunit;

namespace CompressBuild.Engine.Tests.Onnx;

/// <summary>Hostile tensor headers are refused when the model is read, with a code and the file, never an overflow later.</summary>
public class TensorChecksTests
{
    [Theory]
    [InlineData(new long[] { 1L << 32, 1L << 32, 4 })]
    [InlineData(new long[] { 1L << 62, 4 })]
    [InlineData(new long[] { 1L << 40, 1L << 20 })]
    [InlineData(new long[] { 1L << 40, 1L << 40 })]
    [InlineData(new long[] { -256, 64 })]
    public void Hostile_dims_are_CB2203_naming_the_file(long[] dims)
    {
        using var temp = new TempFolder();
        var model = TestModels.AddWeight(4);
        model.Graph.Initializer[0].Dims.Clear();
        model.Graph.Initializer[0].Dims.Add(dims);
        var path = TestModels.Write(model, temp.File("m.onnx"));

        var error = Assert.Throws<CompressBuildException>(() => OnnxModelReader.Load(path));

        Assert.Equal(DiagnosticCodes.TensorShapeInvalid, error.Code);
        Assert.Equal(path, error.File);
    }

    [Fact]
    public void A_constant_node_with_hostile_dims_is_CB2203()
    {
        using var temp = new TempFolder();
        var model = TestModels.AddWeight(4);
        var value = TensorData.FromArray<float>("c", [4], [1f, 2f, 3f, 4f]);
        value.Dims.Clear();
        value.Dims.Add([1L << 40, 1L << 40]);
        model.Graph.Node.Insert(0, new NodeProto { OpType = "Constant", Output = { "c" }, Attribute =
            { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = value } } });

        var error = Assert.Throws<CompressBuildException>(() => OnnxModelReader.Load(TestModels.Write(model, temp.File("m.onnx"))));

        Assert.Equal(DiagnosticCodes.TensorShapeInvalid, error.Code);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(65536 * 4 + 4)]
    public void Raw_data_of_the_wrong_length_is_CB2007(int bytes)
    {
        using var temp = new TempFolder();
        var model = TestModels.AddWeight(4);
        model.Graph.Initializer[0].Dims.Clear();
        model.Graph.Initializer[0].Dims.Add(65536);
        model.Graph.Initializer[0].RawData = ByteString.CopyFrom(new byte[bytes]);
        var path = TestModels.Write(model, temp.File("m.onnx"));

        var error = Assert.Throws<CompressBuildException>(() => OnnxModelReader.Load(path));

        Assert.Equal(DiagnosticCodes.TensorInvalid, error.Code);
        Assert.Equal(path, error.File);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(99)]
    public void An_undefined_data_type_is_CB2007(int dataType)
    {
        using var temp = new TempFolder();
        var model = TestModels.AddWeight(4);
        model.Graph.Initializer[0].DataType = dataType;

        var error = Assert.Throws<CompressBuildException>(() => OnnxModelReader.Load(TestModels.Write(model, temp.File("m.onnx"))));

        Assert.Equal(DiagnosticCodes.TensorInvalid, error.Code);
    }

    [Fact]
    public void A_cyclic_graph_is_CB2002_naming_the_file()
    {
        using var temp = new TempFolder();
        var model = TestModels.Empty();
        model.Graph.Input.Add(TestModels.Tensor("x", TensorProto.Types.DataType.Float, 4));
        model.Graph.Output.Add(TestModels.Tensor("b", TensorProto.Types.DataType.Float, 4));
        model.Graph.Node.Add(TestModels.Node("Add", ["x", "b"], ["a"]));
        model.Graph.Node.Add(TestModels.Node("Relu", ["a"], ["b"]));
        var path = TestModels.Write(model, temp.File("m.onnx"));

        var error = Assert.Throws<CompressBuildException>(() => OnnxModelReader.Load(path));

        Assert.Equal(DiagnosticCodes.ModelCorrupt, error.Code);
        Assert.Equal(path, error.File);
        Assert.Contains("cycle", error.Message, StringComparison.Ordinal);
    }
}
