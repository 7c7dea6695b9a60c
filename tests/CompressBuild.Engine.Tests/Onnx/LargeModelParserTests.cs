using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Testing;
using Google.Protobuf;
using Xunit;

namespace CompressBuild.Engine.Tests.Onnx;

/// <summary>
/// LargeModelParser must give exactly what ModelProto.Parser.ParseFrom gives, for every input; these tests compare
/// the two on real models, on hand-made wire-format corner cases, and at protobuf's nesting limit.
/// </summary>
public class LargeModelParserTests
{
    [Fact]
    public void Walking_every_field_equals_protobufs_parse_for_every_fixture_and_conformance_model()
    {
        var files = Directory.GetFiles(RepositoryPaths.Digits, "*.onnx").ToList();
        if (Directory.Exists(RepositoryPaths.OnnxTestData))
        {
            files.AddRange(Directory.EnumerateFiles(RepositoryPaths.OnnxTestData, "*.onnx", SearchOption.AllDirectories));
        }

        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            var expected = ModelProto.Parser.ParseFrom(bytes);

            // largeField 1 walks every message and reads every bytes field directly: the most of the walker there is.
            foreach (var largeField in new[] { 1, 4096 })
            {
                var actual = LargeModelParser.Walk(new MemoryStream(bytes), largeField);
                Assert.True(expected.Equals(actual), $"{file} (largeField {largeField}) parses differently");
                Assert.True(bytes.AsSpan().SequenceEqual(actual.ToByteArray()), $"{file} (largeField {largeField}) does not serialize back to its bytes");
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(4096)]
    public void Wire_format_corner_cases_parse_as_protobuf_parses_them(int largeField)
    {
        var bytes = CornerCases();
        var expected = ModelProto.Parser.ParseFrom(bytes);

        var actual = LargeModelParser.Walk(new MemoryStream(bytes), largeField);

        Assert.Equal(expected, actual);
        Assert.Equal(expected.ToByteArray(), actual.ToByteArray());
        Assert.Equal(9, actual.IrVersion);
        Assert.Equal(["w", "packed", "strings", "twice"], actual.Graph.Initializer.Select(t => t.Name));
        Assert.Equal(Pattern(9000, 7), actual.Graph.Initializer[3].RawData.ToByteArray());
    }

    [Fact]
    public void Group_encoded_unknown_fields_fall_back_to_protobuf()
    {
        // Field 900 as a group holding one varint: protobuf keeps it as an unknown field; the walker does not do groups.
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        output.WriteTag(1, WireFormat.WireType.Varint);
        output.WriteInt64(8);
        output.WriteTag(900, WireFormat.WireType.StartGroup);
        output.WriteTag(1, WireFormat.WireType.Varint);
        output.WriteInt64(5);
        output.WriteTag(900, WireFormat.WireType.EndGroup);
        output.Flush();
        var bytes = buffer.ToArray();

        Assert.ThrowsAny<Exception>(() => LargeModelParser.Walk(new MemoryStream(bytes), 4096));
        Assert.Equal(ModelProto.Parser.ParseFrom(bytes), LargeModelParser.Parse(new MemoryStream(bytes)));
    }

    [Fact]
    public void Truncated_input_fails_with_protobufs_own_exception()
    {
        var bytes = CornerCases();
        foreach (var keep in new[] { 1, 3, 100, 4100, 9100, bytes.Length / 2, bytes.Length - 1 })
        {
            var cut = bytes[..keep];
            var expected = Assert.ThrowsAny<InvalidProtocolBufferException>(() => ModelProto.Parser.ParseFrom(new MemoryStream(cut)));

            var actual = Assert.ThrowsAny<InvalidProtocolBufferException>(() => LargeModelParser.Parse(new MemoryStream(cut)));

            Assert.Equal(expected.Message, actual.Message);
        }
    }

    [Fact]
    public void The_nesting_limit_is_protobufs()
    {
        // Each If level adds three messages (graph > node > attribute); a big innermost tensor makes every level
        // large enough to be walked rather than handed to protobuf whole. Both must agree on where the limit is.
        var outcomes = new List<bool>();
        for (var levels = 30; levels <= 35; levels++)
        {
            var bytes = NestedIfs(levels).ToByteArray();
            var expected = Record.Exception(() => ModelProto.Parser.ParseFrom(new MemoryStream(bytes)));

            var actual = Record.Exception(() => LargeModelParser.Parse(new MemoryStream(bytes)));

            Assert.Equal(expected?.GetType(), actual?.GetType());
            outcomes.Add(expected is null);
        }

        Assert.Contains(true, outcomes);
        Assert.Contains(false, outcomes);
    }

    [Fact]
    public void Loading_a_file_allocates_each_weight_once()
    {
        using var temp = new TempFolder();
        var model = TestModels.Empty();
        model.Graph.Initializer.Add(new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Uint8, Dims = { 8 << 20 }, RawData = ByteString.CopyFrom(Pattern(8 << 20, 3)) });
        var path = TestModels.Write(model, temp.File("big.onnx"));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var loaded = OnnxModelReader.Load(path);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // protobuf's stream parser allocated every weight twice (chunks, then the whole); one copy plus buffers is the floor.
        Assert.InRange(allocated, 8 << 20, (long)((8 << 20) * 1.1));
        Assert.Equal(model, loaded.Proto);
    }

    /// <summary>A model exercising what the walker handles itself and what it hands to protobuf, at several sizes.</summary>
    private static byte[] CornerCases()
    {
        var ifBody = new GraphProto { Name = "body", Initializer = { Raw("inner", Pattern(5000, 1)) }, Output = { new ValueInfoProto { Name = "inner" } } };
        var model = TestModels.Empty();
        model.DocString = new string('d', 5000);
        model.MetadataProps.Add(new StringStringEntryProto { Key = "big", Value = new string('v', 6000) });
        model.Graph.Initializer.Add(Raw("w", Pattern(100, 2)));
        model.Graph.Initializer.Add(new TensorProto { Name = "packed", DataType = 1, Dims = { 2000 }, FloatData = { Enumerable.Range(0, 2000).Select(i => i * 0.25f) } });
        model.Graph.Initializer.Add(new TensorProto { Name = "strings", DataType = 8, Dims = { 2 }, StringData = { ByteString.CopyFrom(Pattern(5000, 4)), ByteString.CopyFrom(Pattern(10, 5)) } });
        model.Graph.Node.Add(new NodeProto { OpType = "Constant", Output = { "c" }, Attribute =
            { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = Raw("c", Pattern(4096, 6)) } } });
        model.Graph.Node.Add(new NodeProto { OpType = "If", Input = { "cond" }, Output = { "o" }, Attribute =
            { new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = ifBody } } });
        var first = model.ToByteArray();

        // Hand-written wire format after it. Protobuf merges: the graph field again (merged into the same graph,
        // its initializer appended), a tensor whose raw_data appears twice (the last one wins), unknown fields big
        // and small, and ir_version in a non-minimal varint (9 in four bytes; it overrides the 8 before it).
        var tensor = Concat(Raw("twice", Pattern(3000, 8)).ToByteArray(), Field(9, Pattern(9000, 7)), Field(1234, Pattern(4500, 9)));
        var graph = Concat(Field(5, tensor), Field(999, Pattern(20, 10)));
        byte[] irVersion = [0x08, 0x89, 0x80, 0x80, 0x00];
        return Concat(first, Field(7, graph), Field(1000, Pattern(70000, 11)), irVersion);
    }

    private static ModelProto NestedIfs(int levels)
    {
        var graph = new GraphProto { Name = "g0", Initializer = { Raw("deep", Pattern(6000, 12)) } };
        for (var i = 1; i < levels; i++)
        {
            var node = new NodeProto { OpType = "If", Attribute = { new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = graph } } };
            graph = new GraphProto { Name = $"g{i}", Node = { node } };
        }

        var model = TestModels.Empty();
        model.Graph = graph;
        return model;
    }

    private static TensorProto Raw(string name, byte[] bytes) =>
        new() { Name = name, DataType = (int)TensorProto.Types.DataType.Uint8, Dims = { bytes.Length }, RawData = ByteString.CopyFrom(bytes) };

    private static byte[] Field(int number, byte[] payload)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(payload));
        output.Flush();
        return buffer.ToArray();
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
