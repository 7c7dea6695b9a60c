using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Operators;

namespace CompressBuild.Engine.Tests.Quantization.Operators;

/// <summary>A graph of one node over float initializers (seeded values), ready for an op class to rewrite.</summary>
internal sealed class OpGraph
{
    private readonly Random random = new(11);

    public OpGraph(long opset = 13)
    {
        Proto = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "op" } };
        Proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
    }

    public ModelProto Proto { get; }

    public GraphProto Graph => Proto.Graph;

    public NodeProto? Node { get; private set; }

    public OpGraph Weight(string name, params long[] dims)
    {
        var count = (int)dims.Aggregate(1L, (a, d) => a * d);
        var values = Enumerable.Range(0, count).Select(_ => (random.NextSingle() * 2) - 1).ToArray();
        Graph.Initializer.Add(TensorData.FromArray<float>(name, dims, values));
        return this;
    }

    public OpGraph Op(string opType, string[] inputs, Action<NodeProto>? attributes = null)
    {
        Node = new NodeProto { OpType = opType, Name = opType.ToLowerInvariant() };
        Node.Input.Add(inputs);
        Node.Output.Add("y");
        attributes?.Invoke(Node);
        Graph.Node.Add(Node);
        return this;
    }

    public float[] Values(string name) => TensorData.ToSingles(Graph.Initializer.Single(t => t.Name == name), Model());

    public OnnxModel Model() => new(Proto, null);

    public (GraphEditor Editor, QuantizationContext Context) Prepare(QuantizationOptions? options = null) =>
        (new GraphEditor(Graph), new QuantizationContext(Model(), GraphIndex.Build(Graph), options ?? new QuantizationOptions(), perChannelAllowed: true));

    public NodeProto Single(string opType) => Graph.Node.Single(n => n.OpType == opType);
}
