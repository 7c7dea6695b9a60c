using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Onnx;

public sealed class InitializerSharingTests
{
    [Fact]
    public void Equal_added_constants_are_stored_once_and_their_readers_redirected()
    {
        var model = TestModels.Empty();
        var graph = model.Graph;
        graph.Input.Add(TestModels.Tensor("x", TensorProto.Types.DataType.Float, 2));
        graph.Output.Add(TestModels.Tensor("y", TensorProto.Types.DataType.Float, 2));
        graph.Initializer.Add(TensorData.FromArray<float>("user_half", [], [0.5f]));
        graph.Node.Add(TestModels.Node("Mul", ["x", "user_half"], ["y"], "user_mul"));
        var kept = KeptNames.Of(graph);
        graph.Initializer.Add(TensorData.FromArray<float>("a_scale", [], [0.5f]));
        graph.Initializer.Add(TensorData.FromArray<float>("b_scale", [], [0.5f]));
        graph.Initializer.Add(TensorData.FromArray<float>("c_scale", [1], [0.5f]));
        graph.Initializer.Add(TensorData.FromArray<byte>("a_zero_point", [], [0]));
        graph.Initializer.Add(TensorData.FromArray<sbyte>("b_zero_point", [], [0]));
        graph.Initializer.Add(TensorData.FromArray<byte>("c_zero_point", [], [0]));
        graph.Node.Add(TestModels.Node("QuantizeLinear", ["x", "a_scale", "a_zero_point"], ["a"], "qa"));
        graph.Node.Add(TestModels.Node("QuantizeLinear", ["x", "b_scale", "b_zero_point"], ["b"], "qb"));
        graph.Node.Add(TestModels.Node("QuantizeLinear", ["x", "c_scale", "c_zero_point"], ["c"], "qc"));

        var removed = InitializerSharing.Share(graph, kept);

        // b_scale equals a_scale, c_zero_point equals a_zero_point; the user's equal constant, the [1]-shaped scale and the s8 zero point stay.
        Assert.Equal(2, removed);
        Assert.Equal(["user_half", "a_scale", "c_scale", "a_zero_point", "b_zero_point"], graph.Initializer.Select(i => i.Name));
        Assert.Equal(["x", "a_scale", "b_zero_point"], graph.Node[2].Input);
        Assert.Equal(["x", "c_scale", "a_zero_point"], graph.Node[3].Input);
    }

    [Fact]
    public void An_added_constant_that_is_also_a_graph_input_is_not_merged()
    {
        var model = TestModels.Empty();
        var graph = model.Graph;
        var kept = KeptNames.Of(graph);
        graph.Initializer.Add(TensorData.FromArray<float>("s1", [], [2f]));
        graph.Initializer.Add(TensorData.FromArray<float>("s2", [], [2f]));
        graph.Input.Add(TestModels.Tensor("s2", TensorProto.Types.DataType.Float));

        Assert.Equal(0, InitializerSharing.Share(graph, kept));
        Assert.Equal(2, graph.Initializer.Count);
    }
}
