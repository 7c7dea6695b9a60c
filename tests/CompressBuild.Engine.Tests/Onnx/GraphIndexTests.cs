using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Testing;
using Xunit;
using DataType = CompressBuild.Engine.Onnx.Proto.TensorProto.Types.DataType;

namespace CompressBuild.Engine.Tests.Onnx;

public class GraphIndexTests
{
    [Fact]
    public void Producers_and_consumers_follow_the_residual_cnn()
    {
        var model = OnnxModelReader.Load(Path.Combine(RepositoryPaths.Digits, "cnn_residual.onnx"));
        var index = GraphIndex.Build(model.Graph);

        foreach (var add in model.Graph.Node.Where(n => n.OpType == "Add"))
        {
            // A residual Add joins two branches, both produced inside the graph.
            Assert.All(add.Input, i => Assert.NotNull(index.Producer(i)));
            Assert.Contains(add, index.Consumers(add.Input[0]));
        }

        Assert.True(index.IsGraphInput("input"));
        Assert.True(index.IsGraphOutput("logits"));
        Assert.Empty(index.Consumers("logits"));
        Assert.Equal("Conv", index.Consumers("input").Single().OpType);
    }

    [Fact]
    public void Topological_order_of_a_sorted_graph_is_unchanged()
    {
        var model = OnnxModelReader.Load(Path.Combine(RepositoryPaths.Digits, "cnn_concat_dw.onnx"));

        Assert.Equal(model.Graph.Node, GraphIndex.Build(model.Graph).TopologicalOrder());
    }

    [Fact]
    public void Topological_order_sorts_a_reversed_graph()
    {
        var model = OnnxModelReader.Load(Path.Combine(RepositoryPaths.Digits, "cnn_residual.onnx"));
        var original = model.Graph.Node.ToList();
        var reversed = original.AsEnumerable().Reverse().ToList();
        model.Graph.Node.Clear();
        model.Graph.Node.Add(reversed);

        var order = GraphIndex.Build(model.Graph).TopologicalOrder();

        var produced = new HashSet<string>(model.Graph.Input.Select(i => i.Name).Concat(model.Graph.Initializer.Select(i => i.Name)));
        foreach (var node in order)
        {
            Assert.All(node.Input.Where(i => i.Length > 0), i => Assert.Contains(i, produced));
            produced.UnionWith(node.Output);
        }

        Assert.Equal(original.Count, order.Count);
    }

    [Fact]
    public void A_cycle_is_CB2002()
    {
        var graph = new GraphProto { Node = { TestModels.Node("Relu", ["b"], ["a"]), TestModels.Node("Relu", ["a"], ["b"]) } };

        Assert.Equal(DiagnosticCodes.ModelCorrupt, Assert.Throws<CompressBuildException>(() => GraphIndex.Build(graph).TopologicalOrder()).Code);
    }

    [Fact]
    public void Constant_node_weights_are_found_like_initializers()
    {
        var withInitializers = OnnxModelReader.Load(Path.Combine(RepositoryPaths.Digits, "mlp.onnx"));
        var withConstants = OnnxModelReader.Load(Path.Combine(RepositoryPaths.Digits, "mlp_opset11_constants.onnx"));
        var a = GraphIndex.Build(withInitializers.Graph);
        var b = GraphIndex.Build(withConstants.Graph);

        var gemmsA = withInitializers.Graph.Node.Where(n => n.OpType == "Gemm").ToList();
        var gemmsB = withConstants.Graph.Node.Where(n => n.OpType == "Gemm").ToList();
        Assert.Equal(3, gemmsB.Count);
        for (var i = 0; i < gemmsA.Count; i++)
        {
            Assert.True(a.TryGetConstant(gemmsA[i].Input[1], out var weightA));
            Assert.True(b.TryGetConstant(gemmsB[i].Input[1], out var weightB));
            Assert.Equal(weightA.Dims, weightB.Dims);
            Assert.Equal(TensorData.ToArray<float>(weightA, withInitializers), TensorData.ToArray<float>(weightB, withConstants));
        }

        Assert.False(b.TryGetConstant("input", out _));
    }

    [Fact]
    public void Scalar_and_list_constant_attributes_become_tensors()
    {
        var graph = new GraphProto();
        graph.Node.Add(new NodeProto { OpType = "Constant", Output = { "f" }, Attribute = { new AttributeProto { Name = "value_float", F = 2.5f, Type = AttributeProto.Types.AttributeType.Float } } });
        graph.Node.Add(new NodeProto { OpType = "Constant", Output = { "ints" }, Attribute =
            { new AttributeProto { Name = "value_ints", Ints = { 1, 2, 3 }, Type = AttributeProto.Types.AttributeType.Ints } } });
        var index = GraphIndex.Build(graph);
        var model = new OnnxModel(new ModelProto { Graph = graph }, null);

        Assert.True(index.TryGetConstant("f", out var f));
        Assert.Empty(f.Dims);
        Assert.Equal([2.5f], TensorData.ToArray<float>(f, model));
        Assert.True(index.TryGetConstant("ints", out var ints));
        Assert.Equal([3L], ints.Dims);
        Assert.Equal([1L, 2L, 3L], TensorData.ToArray<long>(ints, model));
    }

    [Fact]
    public void An_initializer_shadowed_by_an_input_is_not_constant()
    {
        var model = TestModels.AddWeight(2);
        model.Graph.Input.Add(TestModels.Tensor("w", DataType.Float, 2));

        Assert.False(GraphIndex.Build(model.Graph).TryGetConstant("w", out _));
    }

    [Fact]
    public void A_node_with_a_subgraph_consumes_the_outer_values_its_body_reads()
    {
        var body = new GraphProto { Name = "then", Node = { TestModels.Node("Relu", ["outer"], ["r"]) }, Output = { TestModels.Tensor("r", DataType.Float, 1) } };
        var graph = new GraphProto
        {
            Node =
            {
                TestModels.Node("If", ["cond"], ["y"], "if"),
                TestModels.Node("Neg", ["x"], ["outer"]),
            },
        };
        graph.Node[0].Attribute.Add(new AttributeProto { Name = "then_branch", G = body, Type = AttributeProto.Types.AttributeType.Graph });
        var index = GraphIndex.Build(graph);

        Assert.Contains(graph.Node[0], index.Consumers("outer"));
        Assert.Equal(["Neg", "If"], index.TopologicalOrder().Select(n => n.OpType));
    }
}
