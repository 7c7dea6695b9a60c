using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Preprocessing;
using CompressBuild.Engine.Runtime;
using Xunit;

namespace CompressBuild.Engine.Tests.Preprocessing;

/// <summary>Each pre-processing step on a small graph built for it: what it removes, and that the outputs stay the same.</summary>
public sealed class ModelPreprocessorTests
{
    [Fact]
    public void BatchNormalization_after_a_grouped_conv_transpose_is_folded_with_the_same_outputs()
    {
        var g = new Graph(13).Input("x", 1, 4, 3, 3)
            .Weight("w", 4, 3, 2, 2)
            .Node("ConvTranspose", ["x", "w"], ["t"], Attr.Int("group", 2))
            .BatchNorm("t", "y", 6);
        var result = g.PreprocessesUnchanged();
        Assert.Equal(1, result.BatchNormalizationsFolded);
        Assert.DoesNotContain(result.Model.Graph.Node, n => n.OpType == "BatchNormalization");
    }

    [Fact]
    public void BatchNormalization_after_a_gemm_with_alpha_beta_and_transposed_weights_is_folded_with_the_same_outputs()
    {
        var g = new Graph(13).Input("x", 2, 5)
            .Weight("b", 3, 5).Weight("c", 3)
            .Node("Gemm", ["x", "b", "c"], ["t"], Attr.Int("transB", 1), Attr.Float("alpha", 0.5f), Attr.Float("beta", 2f))
            .BatchNorm("t", "y", 3);
        Assert.Equal(1, g.PreprocessesUnchanged().BatchNormalizationsFolded);
    }

    [Fact]
    public void A_conv_weight_shared_with_another_conv_is_copied_not_changed()
    {
        var g = new Graph(13).Input("x", 1, 2, 4, 4)
            .Weight("w", 3, 2, 3, 3)
            .Node("Conv", ["x", "w"], ["a"])
            .Node("Conv", ["x", "w"], ["b"])
            .BatchNorm("a", "a_bn", 3)
            .Node("Add", ["a_bn", "b"], ["y"]);
        var original = g.Proto.Graph.Initializer.Single(t => t.Name == "w").Clone();
        var result = g.PreprocessesUnchanged();
        Assert.Equal(1, result.BatchNormalizationsFolded);
        Assert.Equal(original, result.Model.Graph.Initializer.Single(t => t.Name == "w"));
        Assert.Single(result.Model.Graph.Node, n => n.OpType == "Conv" && n.Input[1] == "w");
    }

    [Fact]
    public void BatchNormalization_after_an_add_stays_with_advisory_CB4025()
    {
        var g = new Graph(13).Input("x", 1, 3, 2, 2).Node("Add", ["x", "x"], ["t"]).BatchNorm("t", "y", 3);
        var result = g.PreprocessesUnchanged();
        Assert.Equal(0, result.BatchNormalizationsFolded);
        Assert.Contains(result.Advisories, a => a.Code == "CB4025" && a.Message.Contains("comes from Add", StringComparison.Ordinal));
    }

    [Fact]
    public void Identity_and_inference_dropout_are_removed_and_the_graph_output_keeps_its_name()
    {
        var g = new Graph(13).Input("x", 2, 3)
            .Node("Relu", ["x"], ["r"])
            .Node("Dropout", ["r"], ["d"])
            .Node("Identity", ["d"], ["y"]);
        var result = g.PreprocessesUnchanged();
        Assert.Equal((1, 1), (result.IdentitiesRemoved, result.DropoutsRemoved));
        Assert.Equal(["Relu"], result.Model.Graph.Node.Select(n => n.OpType));
        Assert.Equal("y", result.Model.Graph.Node[0].Output[0]);
    }

    [Fact]
    public void A_dropout_whose_mask_is_read_stays()
    {
        var g = new Graph(13).Input("x", 2, 3).Node("Dropout", ["x"], ["y", "mask"]).Output("mask");
        var result = ModelPreprocessor.Run(g.Model, PreprocessOptions.Default);
        Assert.Equal(0, result.DropoutsRemoved);
        Assert.Single(result.Model.Graph.Node, n => n.OpType == "Dropout");
    }

    [Fact]
    public void Shape_of_a_static_shape_and_what_it_feeds_are_folded_into_one_constant()
    {
        var g = new Graph(13).Input("x", 2, 3, 4)
            .Int64s("zero", [1], 0).Int64s("minus_one", [1], -1)
            .Node("Shape", ["x"], ["s"])
            .Node("Gather", ["s", "zero"], ["batch"])
            .Node("Concat", ["batch", "minus_one"], ["target"], Attr.Int("axis", 0))
            .Node("Reshape", ["x", "target"], ["y"]);
        var result = g.PreprocessesUnchanged();
        Assert.Equal(3, result.NodesFolded);
        Assert.Equal(["Reshape"], result.Model.Graph.Node.Select(n => n.OpType));
        var target = result.Model.Graph.Initializer.Single(t => t.Name == "target");
        Assert.Equal([2L, -1L], TensorData.ToArray<long>(target, result.Model));
    }

    [Fact]
    public void Unused_initializers_are_removed_and_shapes_are_recorded()
    {
        var g = new Graph(13).Input("x", 2, 3).Weight("unused", 4).Node("Relu", ["x"], ["r"]).Node("Neg", ["r"], ["y"]);
        var result = g.PreprocessesUnchanged();
        Assert.Equal(1, result.InitializersRemoved);
        Assert.Empty(result.Model.Graph.Initializer);
        var r = Assert.Single(result.Model.Graph.ValueInfo);
        Assert.Equal([2L, 3L], r.Type.TensorType.Shape.Dim.Select(d => d.DimValue));
    }

    [Fact]
    public void Conversion_only_options_change_nothing_but_the_opset()
    {
        var g = new Graph(11).Input("x", 2, 3).Node("Identity", ["x"], ["i"]).Node("Softmax", ["i"], ["y"], Attr.Int("axis", 1));
        var result = ModelPreprocessor.Run(g.Model, PreprocessOptions.ConversionOnly with { TargetOpset = 13 });
        Assert.Equal(13, result.OpsetAfter);
        Assert.Equal(["Identity", "Softmax"], result.Model.Graph.Node.Select(n => n.OpType));
        Assert.Equal("opset 11 -> 13 (Softmax 1 rewritten)", result.Describe());
    }

    private static class Attr
    {
        public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

        public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };
    }

    /// <summary>A float graph under construction, with deterministic weights and inputs.</summary>
    private sealed class Graph
    {
        private readonly List<HostTensor> feeds = [];
        private int seed = 1;

        public Graph(int opset)
        {
            Proto = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "g" } };
            Proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        }

        public ModelProto Proto { get; }

        public OnnxModel Model => new(Proto, null);

        public Graph Input(string name, params long[] shape)
        {
            var type = new TypeProto.Types.Tensor { ElemType = 1, Shape = new TensorShapeProto() };
            type.Shape.Dim.Add(shape.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
            Proto.Graph.Input.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = type } });
            feeds.Add(HostTensor.FromArray(name, shape, Values(shape).AsSpan()));
            return this;
        }

        public Graph Weight(string name, params long[] shape)
        {
            Proto.Graph.Initializer.Add(TensorData.FromArray<float>(name, shape, Values(shape)));
            return this;
        }

        public Graph Int64s(string name, long[] shape, params long[] values)
        {
            Proto.Graph.Initializer.Add(TensorData.FromArray<long>(name, shape, values));
            return this;
        }

        public Graph Node(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = op, Name = op + "_" + Proto.Graph.Node.Count };
            node.Input.Add(inputs);
            node.Output.Add(outputs);
            node.Attribute.Add(attributes);
            Proto.Graph.Node.Add(node);
            if (outputs[0] == "y")
            {
                Output("y");
            }

            return this;
        }

        public Graph Output(string name)
        {
            Proto.Graph.Output.Add(new ValueInfoProto { Name = name });
            return this;
        }

        /// <summary>A BatchNormalization with positive variances and non-trivial scale, shift and mean.</summary>
        public Graph BatchNorm(string input, string output, int channels)
        {
            var prefix = output + "_";
            Proto.Graph.Initializer.Add(TensorData.FromArray<float>(prefix + "scale", [channels], Enumerable.Range(0, channels).Select(c => 0.5f + (0.3f * c)).ToArray()));
            Proto.Graph.Initializer.Add(TensorData.FromArray<float>(prefix + "shift", [channels], Enumerable.Range(0, channels).Select(c => 0.1f * (c - 1)).ToArray()));
            Proto.Graph.Initializer.Add(TensorData.FromArray<float>(prefix + "mean", [channels], Enumerable.Range(0, channels).Select(c => 0.2f * (c % 3)).ToArray()));
            Proto.Graph.Initializer.Add(TensorData.FromArray<float>(prefix + "var", [channels], Enumerable.Range(0, channels).Select(c => 0.5f + (0.25f * c)).ToArray()));
            return Node("BatchNormalization", [input, prefix + "scale", prefix + "shift", prefix + "mean", prefix + "var"], [output]);
        }

        public PreprocessResult PreprocessesUnchanged()
        {
            var before = Run(Model);
            var result = ModelPreprocessor.Run(Model, PreprocessOptions.Default);
            var after = Run(result.Model);
            Assert.Equal(before.Count, after.Count);
            for (var i = 0; i < before.Count; i++)
            {
                Assert.Equal(before[i].Shape, after[i].Shape);
                var (a, b) = (before[i].AsSpan<float>().ToArray(), after[i].AsSpan<float>().ToArray());
                Assert.All(Enumerable.Range(0, a.Length), k => Assert.True(Math.Abs(a[k] - b[k]) <= 1e-5 * (1 + Math.Abs(a[k])), $"element {k}: {a[k]} before, {b[k]} after"));
            }

            return result;
        }

        private IReadOnlyList<HostTensor> Run(OnnxModel model)
        {
            using var session = ModelSessions.Open(model, new SessionSettings { IntraOpThreads = 1, OptimizationLevel = GraphOptimizationLevel.None });
            return session.Run(feeds);
        }

        private float[] Values(long[] shape)
        {
            var count = (int)shape.Aggregate(1L, (a, d) => a * d);
            var start = seed++;
            return Enumerable.Range(0, count).Select(i => (((i + start) * 7919 % 211) - 105) / 70f).ToArray();
        }
    }
}
