using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Preprocessing;
using CompressBuild.Engine.Runtime;
using Xunit;

namespace CompressBuild.Engine.Tests.Preprocessing.Adapters;

/// <summary>
/// A model of one node at an old opset, fed deterministic inputs: it runs on ONNX Runtime before and after
/// conversion, and the outputs must be bit-identical (the adapters only move attributes or rebuild the same
/// arithmetic, except the Softmax family's Flatten/Reshape, which reorders nothing).
/// </summary>
internal sealed class SingleNodeModel
{
    private readonly List<HostTensor> feeds = [];

    public SingleNodeModel(int opset, NodeProto node, int outputs = 1)
    {
        Node = node;
        var graph = new GraphProto { Name = node.OpType };
        graph.Node.Add(node);
        for (var i = 0; i < outputs; i++)
        {
            node.Output.Add($"y{i}");
            graph.Output.Add(new ValueInfoProto { Name = $"y{i}" });
        }

        Proto = new ModelProto { IrVersion = 7, Graph = graph };
        Proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
    }

    public NodeProto Node { get; }

    public ModelProto Proto { get; }

    public OnnxModel Model => new(Proto, null);

    public IReadOnlyList<HostTensor> Feeds => feeds;

    /// <summary>A float input with values spread over [-2, 2) in a fixed pattern.</summary>
    public SingleNodeModel Input(string name, params long[] shape)
    {
        var count = shape.Aggregate(1L, (a, d) => a * d);
        var values = Enumerable.Range(0, (int)count).Select(i => (float)(((i * 37) % 101) - 50) / 25f).ToArray();
        Node.Input.Add(name);
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
        foreach (var d in shape)
        {
            tensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        Proto.Graph.Input.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } });
        feeds.Add(HostTensor.FromArray(name, shape, values.AsSpan()));
        return this;
    }

    public SingleNodeModel Constant<T>(string name, long[] shape, params T[] values)
        where T : unmanaged
    {
        Node.Input.Add(name);
        Proto.Graph.Initializer.Add(TensorData.FromArray<T>(name, shape, values));
        return this;
    }

    public SingleNodeModel Attribute(AttributeProto attribute)
    {
        Node.Attribute.Add(attribute);
        return this;
    }

    public IReadOnlyList<HostTensor> Run(OnnxModel model)
    {
        using var session = ModelSessions.Open(model, new SessionSettings { IntraOpThreads = 1, OptimizationLevel = GraphOptimizationLevel.None });
        return session.Run(feeds);
    }

    /// <summary>Converts, asserts the converted model computes the same bits as the original, and returns it.</summary>
    public OnnxModel ConvertsUnchanged(int target)
    {
        var original = Run(Model);
        var converted = OpsetConverter.Convert(Model, target);
        Assert.Equal(target, converted.Model.OpsetVersion(""));
        var after = Run(converted.Model);
        Assert.Equal(original.Count, after.Count);
        for (var i = 0; i < original.Count; i++)
        {
            Assert.Equal(original[i].ElementType, after[i].ElementType);
            Assert.Equal(original[i].Shape, after[i].Shape);
            Assert.Equal(original[i].Data, after[i].Data);
        }

        return converted.Model;
    }

    public static NodeProto Op(string opType, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = opType.ToLowerInvariant() };
        node.Attribute.Add(attributes);
        return node;
    }

    public static AttributeProto Ints(string name, params long[] values) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Ints, Ints = { values } };

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Floats(string name, params float[] values) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Floats, Floats = { values } };

    public static AttributeProto Text(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8(value) };
}
