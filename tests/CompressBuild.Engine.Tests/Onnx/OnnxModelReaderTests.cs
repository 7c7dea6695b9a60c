using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Testing;
using Google.Protobuf;
using Xunit;

namespace CompressBuild.Engine.Tests.Onnx;

public class OnnxModelReaderTests
{
    public static TheoryData<string> Fixtures => new(Directory.GetFiles(RepositoryPaths.Digits, "*.onnx").Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Loads_every_fixture_with_its_graph(string name)
    {
        var model = OnnxModelReader.Load(Path.Combine(RepositoryPaths.Digits, name));

        Assert.True(model.Proto.IrVersion > 0);
        Assert.NotEmpty(model.Graph.Node);
        Assert.Equal(RepositoryPaths.Digits, model.BaseDirectory);
    }

    [Fact]
    public void A_missing_file_is_CB2001()
    {
        using var temp = new TempFolder();

        var error = Assert.Throws<CompressBuildException>(() => OnnxModelReader.Load(temp.File("absent.onnx")));

        Assert.Equal(DiagnosticCodes.ModelNotFound, error.Code);
        Assert.EndsWith("absent.onnx", error.File, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_is_CB2001()
    {
        using var temp = new TempFolder();

        Assert.Equal(DiagnosticCodes.ModelNotFound, Assert.Throws<CompressBuildException>(() => OnnxModelReader.Load(temp.Path)).Code);
    }

    [Fact]
    public void An_empty_file_is_CB2003()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("empty.onnx"), []);

        Assert.Equal(DiagnosticCodes.ModelEmpty, Assert.Throws<CompressBuildException>(() => OnnxModelReader.Load(temp.File("empty.onnx"))).Code);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(0.999)]
    public void A_truncated_model_is_CB2002(double keep)
    {
        using var temp = new TempFolder();
        var bytes = File.ReadAllBytes(Path.Combine(RepositoryPaths.Digits, "mlp.onnx"));
        File.WriteAllBytes(temp.File("cut.onnx"), bytes[..(int)(bytes.Length * keep)]);

        var error = Assert.Throws<CompressBuildException>(() => OnnxModelReader.Load(temp.File("cut.onnx")));

        Assert.Equal(DiagnosticCodes.ModelCorrupt, error.Code);
        Assert.Contains("cut.onnx", error.ToCanonicalString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("just some text\n")]
    [InlineData("{\"not\": \"a model\"}")]
    public void Text_is_CB2002(string content)
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("text.onnx"), content);

        Assert.Equal(DiagnosticCodes.ModelCorrupt, Assert.Throws<CompressBuildException>(() => OnnxModelReader.Load(temp.File("text.onnx"))).Code);
    }

    [Fact]
    public void Protobuf_that_is_not_a_model_is_CB2002()
    {
        // A TensorProto is well-formed protobuf and parses as a ModelProto of unknown fields.
        var tensorFile = Path.Combine(RepositoryPaths.Digits, "mlp_test_data", "test_data_set_0", "input_0.pb");

        var error = Assert.Throws<CompressBuildException>(() => OnnxModelReader.Load(tensorFile));

        Assert.Equal(DiagnosticCodes.ModelCorrupt, error.Code);
        Assert.Contains("ONNX model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_fields_survive_a_load_save_round_trip()
    {
        using var temp = new TempFolder();
        var original = File.ReadAllBytes(Path.Combine(RepositoryPaths.Digits, "mlp.onnx"));

        // Field 1000 (length-delimited) is unknown to every ONNX version; a future producer might write it.
        var extra = new byte[] { 0xC2, 0x3E, 0x05, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o' };
        File.WriteAllBytes(temp.File("future.onnx"), [.. original, .. extra]);

        var model = OnnxModelReader.Load(temp.File("future.onnx"));
        OnnxModelWriter.Save(model, temp.File("saved.onnx"));

        Assert.Equal(File.ReadAllBytes(temp.File("future.onnx")), File.ReadAllBytes(temp.File("saved.onnx")));
    }

    [Fact]
    public void Loads_from_a_stream_without_a_folder()
    {
        using var stream = File.OpenRead(Path.Combine(RepositoryPaths.Digits, "cnn_residual.onnx"));

        var model = OnnxModelReader.Load(stream, baseDirectory: null);

        Assert.Null(model.BaseDirectory);
        Assert.Equal("model", model.DisplayName);
        Assert.Equal(16, model.Graph.Node.Count);
    }

    [Fact]
    public void Old_opsets_and_constant_node_weights_load()
    {
        var model = OnnxModelReader.Load(Path.Combine(RepositoryPaths.Digits, "mlp_opset11_constants.onnx"));

        Assert.Equal(11, model.OpsetVersion());
        Assert.Empty(model.Graph.Initializer);
        Assert.Equal(6, model.Graph.Node.Count(n => n.OpType == "Constant"));
    }

    [Fact]
    public void An_external_data_entry_without_location_is_CB2005()
    {
        using var temp = new TempFolder();
        var model = TestModels.AddWeight(4);
        var weight = model.Graph.Initializer[0];
        weight.ClearRawData();
        weight.DataLocation = TensorProto.Types.DataLocation.External;
        weight.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "0" });

        var error = Assert.Throws<CompressBuildException>(() => OnnxModelReader.Load(TestModels.Write(model, temp.File("m.onnx"))));

        Assert.Equal(DiagnosticCodes.ExternalDataMissing, error.Code);
    }

    [Fact]
    public void Round_trip_gives_an_equal_message_for_a_model_with_every_container()
    {
        using var temp = new TempFolder();
        var model = TestModels.AddWeight(3);
        model.Graph.SparseInitializer.Add(new SparseTensorProto
        {
            Values = TensorData.FromArray<float>("s", [2], [1f, 2f]),
            Indices = TensorData.FromArray<long>("s_idx", [2], [0L, 5L]),
            Dims = { 8 },
        });
        model.Functions.Add(new FunctionProto { Name = "f", Domain = "custom", Input = { "a" }, Output = { "b" }, Node = { TestModels.Node("Identity", ["a"], ["b"]) } });
        model.TrainingInfo.Add(new TrainingInfoProto { Algorithm = new GraphProto { Name = "train" } });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "k", Value = "v" });
        model.Graph.QuantizationAnnotation.Add(new TensorAnnotation { TensorName = "w" });
        var path = TestModels.Write(model, temp.File("rich.onnx"));

        var loaded = OnnxModelReader.Load(path);
        OnnxModelWriter.Save(loaded, temp.File("again.onnx"));

        Assert.Equal(model, OnnxModelReader.Load(temp.File("again.onnx")).Proto);
        Assert.Equal(model.ToByteArray(), File.ReadAllBytes(temp.File("again.onnx")));
    }
}
