using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Onnx;

public sealed class GeneratedNamesTests
{
    [Theory]
    [InlineData(0, "0")]
    [InlineData(35, "z")]
    [InlineData(36, "10")]
    [InlineData(36 * 36, "100")]
    public void Counters_are_spelled_in_base_36(long index, string expected) => Assert.Equal(expected, GeneratedNames.Base36(index));

    [Fact]
    public void Names_the_model_had_stay_and_added_ones_become_short_and_consistent_across_a_body()
    {
        var model = TestModels.Empty();
        var graph = model.Graph;
        graph.Input.Add(TestModels.Tensor("x", TensorProto.Types.DataType.Float, 2));
        graph.Input.Add(TestModels.Tensor("cond", TensorProto.Types.DataType.Bool));
        graph.Output.Add(TestModels.Tensor("y", TensorProto.Types.DataType.Float, 2));
        graph.Node.Add(TestModels.Node("Relu", ["x"], ["r"], "user_relu"));
        graph.Node.Add(TestModels.Node("Neg", ["r"], ["y"], "user_neg"));
        var body = new GraphProto { Name = "then" };
        body.Node.Add(TestModels.Node("Identity", ["r"], ["then_out"], "then_Identity"));
        body.Output.Add(TestModels.Tensor("then_out", TensorProto.Types.DataType.Float, 2));
        var branch = TestModels.Node("If", ["cond"], ["z"], "user_if");
        branch.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = body });
        graph.Node.Add(branch);
        var kept = KeptNames.Of(graph);

        // What a pass adds: a long-named scale and a Q/DQ pair whose output the body now reads from the enclosing graph.
        graph.Initializer.Add(TensorData.FromArray<float>("r_scale_long_generated_name", [], [0.5f]));
        graph.Node.Add(TestModels.Node("QuantizeLinear", ["r", "r_scale_long_generated_name"], ["r_quantized"], "r_QuantizeLinear"));
        graph.Node.Add(TestModels.Node("DequantizeLinear", ["r_quantized", "r_scale_long_generated_name"], ["r_dequantized"], "r_DequantizeLinear"));
        body.Node[0].Input[0] = "r_dequantized";

        var renamed = GeneratedNames.Compact(graph, kept);

        Assert.Equal(["x", "cond"], graph.Input.Select(i => i.Name));
        Assert.Equal(["y"], graph.Output.Select(o => o.Name));
        Assert.Equal(["user_relu", "user_neg", "user_if"], graph.Node.Take(3).Select(n => n.Name));
        Assert.Equal(["then_Identity"], body.Node.Select(n => n.Name));
        Assert.Equal(["then_out"], body.Output.Select(o => o.Name));
        var q = graph.Node.Single(n => n.OpType == "QuantizeLinear");
        var dq = graph.Node.Single(n => n.OpType == "DequantizeLinear");
        Assert.Equal(["r", "0"], q.Input);
        Assert.Equal(["1", "0"], dq.Input);
        Assert.Equal(["1"], q.Output);
        Assert.Equal(["2"], dq.Output);
        Assert.Equal("2", body.Node[0].Input[0]);
        Assert.Equal("0", graph.Initializer[0].Name);
        // A generated node is named after the generated value it writes, so a profile's kernel name is that tensor's name.
        Assert.Equal("1", q.Name);
        Assert.Equal("2", dq.Name);
        Assert.Equal(5, renamed);
    }

    [Fact]
    public void A_counter_that_spells_a_name_the_model_already_has_is_skipped()
    {
        var model = TestModels.Empty();
        var graph = model.Graph;
        graph.Input.Add(TestModels.Tensor("0", TensorProto.Types.DataType.Float, 2));
        graph.Output.Add(TestModels.Tensor("2", TensorProto.Types.DataType.Float, 2));
        graph.Node.Add(TestModels.Node("Relu", ["0"], ["2"], "1"));
        var kept = KeptNames.Of(graph);
        graph.Node.Add(TestModels.Node("Neg", ["2"], ["generated"], "generated_node"));

        GeneratedNames.Compact(graph, kept);

        Assert.Equal("3", graph.Node[1].Output[0]);
        Assert.Equal("3", graph.Node[1].Name);
        Assert.Equal(["1", "3"], graph.Node.Select(n => n.Name));
    }
}
