using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Preprocessing;
using Xunit;
using static CompressBuild.Engine.Tests.Preprocessing.Adapters.SingleNodeModel;

namespace CompressBuild.Engine.Tests.Preprocessing.Adapters;

/// <summary>Each op adapter: a one-node model at the old opset computes the same after conversion, in the new form.</summary>
public sealed class OpAdapterTests
{
    [Fact]
    public void Clip_min_and_max_attributes_become_inputs_at_11()
    {
        var model = new SingleNodeModel(10, Op("Clip", Float("min", -0.5f), Float("max", 0.75f))).Input("x", 2, 5);
        var node = Only(model.ConvertsUnchanged(11));
        Assert.Equal(3, node.Input.Count);
        Assert.Empty(node.Attribute);
    }

    [Fact]
    public void Slice_attributes_become_inputs_at_10()
    {
        var model = new SingleNodeModel(9, Op("Slice", Ints("starts", 1, 0), Ints("ends", 3, -1), Ints("axes", 0, 2))).Input("x", 4, 3, 5);
        var node = Only(model.ConvertsUnchanged(13));
        Assert.Equal(4, node.Input.Count);
        Assert.Empty(node.Attribute);
    }

    [Fact]
    public void TopK_k_attribute_becomes_an_input_at_10()
    {
        var model = new SingleNodeModel(9, Op("TopK", Int("k", 3), Int("axis", 1)), outputs: 2).Input("x", 2, 7);
        var node = Only(model.ConvertsUnchanged(13));
        Assert.Equal(2, node.Input.Count);
    }

    [Fact]
    public void Upsample_7_with_a_scales_attribute_becomes_a_linear_asymmetric_resize()
    {
        var model = new SingleNodeModel(7, Op("Upsample", Text("mode", "linear"), Floats("scales", 1, 1, 2, 3))).Input("x", 1, 2, 3, 4);
        var node = Only(model.ConvertsUnchanged(13));
        Assert.Equal("Resize", node.OpType);
        Assert.Equal("asymmetric", node.Attribute.Single(a => a.Name == "coordinate_transformation_mode").S.ToStringUtf8());
    }

    [Fact]
    public void Upsample_9_nearest_becomes_a_resize_with_floor_rounding()
    {
        var model = new SingleNodeModel(9, Op("Upsample")).Input("x", 1, 1, 3, 3).Constant<float>("scales", [4], 1, 1, 2, 2);
        var node = Only(model.ConvertsUnchanged(21));
        Assert.Equal("Resize", node.OpType);
        Assert.Equal("floor", node.Attribute.Single(a => a.Name == "nearest_mode").S.ToStringUtf8());
    }

    [Fact]
    public void Resize_10_gets_a_roi_input_and_keeps_its_linear_downsampling()
    {
        var model = new SingleNodeModel(10, Op("Resize", Text("mode", "linear"))).Input("x", 1, 1, 4, 6).Constant<float>("scales", [4], 1, 1, 0.5f, 0.5f);
        var node = Only(model.ConvertsUnchanged(13));
        Assert.Equal(3, node.Input.Count);
    }

    [Fact]
    public void Scatter_becomes_scatter_elements_at_11()
    {
        var model = new SingleNodeModel(10, Op("Scatter", Int("axis", 1))).Input("data", 2, 4).Constant<long>("indices", [2, 2], 1, 3, 0, 2).Input("updates", 2, 2);
        Assert.Equal("ScatterElements", Only(model.ConvertsUnchanged(13)).OpType);
    }

    [Theory]
    [InlineData("constant")]
    [InlineData("reflect")]
    [InlineData("edge")]
    public void Pad_pads_and_value_attributes_become_inputs_at_11(string mode)
    {
        var model = new SingleNodeModel(9, Op("Pad", Ints("pads", 0, 1, 2, 0, 2, 1), Float("value", 1.5f), Text("mode", mode))).Input("x", 2, 3, 4);
        var node = Only(model.ConvertsUnchanged(13));
        Assert.Equal(mode == "constant" ? 3 : 2, node.Input.Count);
    }

    [Fact]
    public void Dropout_ratio_attribute_becomes_an_input_at_12()
    {
        var model = new SingleNodeModel(10, Op("Dropout", Float("ratio", 0.3f))).Input("x", 3, 4);
        var node = Only(model.ConvertsUnchanged(13));
        Assert.Equal(2, node.Input.Count);
        Assert.Empty(node.Attribute);
    }

    [Theory]
    [InlineData("Softmax", 1)]
    [InlineData("Softmax", 0)]
    [InlineData("LogSoftmax", 1)]
    [InlineData("Hardmax", -2)]
    public void Softmax_family_over_a_non_last_axis_keeps_its_coerce_to_2d_meaning_at_13(string op, long axis)
    {
        var model = new SingleNodeModel(11, Op(op, Int("axis", axis))).Input("x", 2, 3, 4);
        var converted = model.ConvertsUnchanged(13);
        Assert.Equal(["Flatten", op, "Shape", "Reshape"], converted.Graph.Node.Select(n => n.OpType));
    }

    [Fact]
    public void Softmax_over_the_last_axis_of_a_known_rank_stays_one_node()
    {
        var model = new SingleNodeModel(9, Op("Softmax", Int("axis", 2))).Input("x", 2, 3, 4);
        var node = Only(model.ConvertsUnchanged(13));
        Assert.Equal(-1, node.Attribute.Single(a => a.Name == "axis").I);
    }

    [Theory]
    [InlineData("Squeeze", 13)]
    [InlineData("Unsqueeze", 13)]
    [InlineData("ReduceSum", 13)]
    [InlineData("ReduceMean", 18)]
    [InlineData("ReduceMax", 18)]
    [InlineData("ReduceL2", 18)]
    public void Axes_attribute_becomes_an_input(string op, int version)
    {
        var model = new SingleNodeModel(version - 2, Op(op, Ints("axes", op == "Unsqueeze" ? [0, 3] : [1]))).Input("x", 3, 1, 4);
        var node = Only(model.ConvertsUnchanged(version));
        Assert.Equal(2, node.Input.Count);
        Assert.DoesNotContain(node.Attribute, a => a.Name == "axes");
    }

    [Fact]
    public void Split_attribute_becomes_an_input_at_13()
    {
        var model = new SingleNodeModel(11, Op("Split", Int("axis", 1), Ints("split", 2, 4)), outputs: 2).Input("x", 3, 6);
        Assert.Equal(2, Only(model.ConvertsUnchanged(13)).Input.Count);
    }

    [Fact]
    public void An_equal_split_gets_num_outputs_at_18()
    {
        var model = new SingleNodeModel(13, Op("Split", Int("axis", 1)), outputs: 3).Input("x", 2, 6);
        Assert.Equal(3, Only(model.ConvertsUnchanged(18)).Attribute.Single(a => a.Name == "num_outputs").I);
    }

    [Fact]
    public void BatchNormalization_7_loses_spatial_at_9_and_its_unread_training_outputs_at_14()
    {
        var model = new SingleNodeModel(7, Op("BatchNormalization", Int("spatial", 1), Float("epsilon", 1e-3f))).Input("x", 2, 3, 4)
            .Constant<float>("scale", [3], 1.5f, 0.5f, 2f).Constant<float>("bias", [3], 0.1f, -0.2f, 0.3f).Constant<float>("mean", [3], 0f, 0.5f, -0.5f).Constant<float>("var", [3], 1f, 2f, 0.5f);
        var node = Only(model.ConvertsUnchanged(15));
        Assert.DoesNotContain(node.Attribute, a => a.Name == "spatial");
        Assert.Single(node.Output);
    }

    [Fact]
    public void BatchNormalization_with_spatial_0_is_refused_naming_the_node()
    {
        var model = new SingleNodeModel(7, Op("BatchNormalization", Int("spatial", 0))).Input("x", 2, 3);
        var error = Assert.Throws<CompressBuildException>(() => OpsetConverter.Convert(model.Model, 13));
        Assert.Equal(DiagnosticCodes.OpsetOpNotConvertible, error.Code);
        Assert.Contains("BatchNormalization node 'batchnormalization'", error.Message, StringComparison.Ordinal);
        Assert.Contains("spatial=0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Opset_6_broadcast_at_an_axis_becomes_numpy_broadcasting_with_b_unsqueezed()
    {
        // ONNX Runtime has no Add-6 kernel, so the expected values are computed here: y[n,c,h,w] = a[n,c,h,w] + b[c,h].
        var model = new SingleNodeModel(6, Op("Add", Int("broadcast", 1), Int("axis", 1))).Input("a", 2, 3, 4, 5).Input("b", 3, 4);
        var inputs = model.Feeds;
        var converted = OpsetConverter.Convert(model.Model, 13).Model;
        Assert.Equal(["Unsqueeze", "Add"], converted.Graph.Node.Select(n => n.OpType));
        Assert.Empty(converted.Graph.Node[1].Attribute);
        var y = model.Run(converted)[0].AsSpan<float>().ToArray();
        var a = inputs[0].AsSpan<float>().ToArray();
        var b = inputs[1].AsSpan<float>().ToArray();
        Assert.Equal(Enumerable.Range(0, a.Length).Select(i => a[i] + b[i / 5 % 12]), y);
    }

    [Fact]
    public void Opset_6_per_channel_prelu_slope_is_unsqueezed_to_line_up_with_the_channels()
    {
        var model = new SingleNodeModel(6, Op("PRelu")).Input("x", 2, 3, 4).Constant<float>("slope", [3], 0.1f, 0.2f, 0.3f);
        var converted = OpsetConverter.Convert(model.Model, 13).Model;
        Assert.Equal(["Unsqueeze", "PRelu"], converted.Graph.Node.Select(n => n.OpType));
        var x = model.Feeds[0].AsSpan<float>().ToArray();
        var y = model.Run(converted)[0].AsSpan<float>().ToArray();
        Assert.Equal(Enumerable.Range(0, x.Length).Select(i => x[i] >= 0 ? x[i] : x[i] * (0.1f * (1 + (i / 4 % 3)))), y);
    }

    [Fact]
    public void Scan_8_is_refused()
    {
        var model = new SingleNodeModel(8, Op("Scan")).Input("x", 1, 2);
        Assert.Equal(DiagnosticCodes.OpsetOpNotConvertible, Assert.Throws<CompressBuildException>(() => OpsetConverter.Convert(model.Model, 9)).Code);
    }

    [Theory]
    [InlineData(5, 13, 2032)]
    [InlineData(11, 22, 2031)]
    [InlineData(13, 11, 2031)]
    public void Unsupported_source_or_target_opsets_are_refused(int from, int to, int code)
    {
        var model = new SingleNodeModel(from, Op("Relu")).Input("x", 2);
        Assert.Equal(code, Assert.Throws<CompressBuildException>(() => OpsetConverter.Convert(model.Model, to)).Code.Number);
    }

    [Fact]
    public void Ops_inside_if_branches_are_converted_too()
    {
        var model = new SingleNodeModel(11, Op("If"));
        model.Proto.Graph.Input.Add(new ValueInfoProto { Name = "x", Type =
            new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape =
            new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimValue = 3 }, new TensorShapeProto.Types.Dimension { DimValue = 1 } } } } } });
        model.Node.Input.Add("cond");
        model.Proto.Graph.Initializer.Add(Engine.Onnx.TensorData.FromArray<bool>("cond", [], [true]));
        model.Node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = Branch("Squeeze", "t") });
        model.Node.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = Branch("ReduceSum", "e") });
        var converted = OpsetConverter.Convert(model.Model, 13).Model;
        var branches = converted.Graph.Node[0].Attribute.Select(a => a.G).ToList();
        Assert.All(branches, b => Assert.Equal(2, b.Node[0].Input.Count));
        Assert.All(branches, b => Assert.Single(b.Initializer));
        using var session = Engine.Runtime.ModelSessions.Open(converted);
        var y = session.Run([Engine.Runtime.HostTensor.FromArray<float>("x", [3, 1], [1f, 2f, 3f])]);
        Assert.Equal([3L], y[0].Shape);

        static GraphProto Branch(string op, string prefix)
        {
            var graph = new GraphProto { Name = prefix };
            var node = new NodeProto { OpType = op, Name = prefix + "_" + op, Input = { "x" }, Output = { prefix + "_y" } };
            node.Attribute.Add(Ints("axes", 1));
            if (op == "ReduceSum")
            {
                node.Attribute.Add(Int("keepdims", 0));
            }

            graph.Node.Add(node);
            graph.Output.Add(new ValueInfoProto { Name = prefix + "_y", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
            return graph;
        }
    }

    private static NodeProto Only(Engine.Onnx.OnnxModel model) => Assert.Single(model.Graph.Node);
}
