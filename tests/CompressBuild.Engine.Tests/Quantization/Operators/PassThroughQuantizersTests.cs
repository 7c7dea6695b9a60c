using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization.Operators;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Operators;

/// <summary>The ops int8-static quantizes without a weight: which inputs they quantize and whose parameters their output takes.</summary>
public class PassThroughQuantizersTests
{
    [Theory]
    [InlineData("MaxPool")]
    [InlineData("Resize")]
    [InlineData("Flatten")]
    [InlineData("Reshape")]
    [InlineData("Transpose")]
    [InlineData("Squeeze")]
    [InlineData("Unsqueeze")]
    public void Ops_that_only_pick_or_move_values_share_the_input_parameters_and_quantize_only_the_data_input(string opType)
    {
        var graph = new OpGraph().Op(opType, ["x", "shape"]);
        var (_, context) = graph.Prepare();
        var op = OperatorQuantizers.For(opType)!;

        Assert.True(op.OutputSharesInputParams);
        Assert.False(op.IsWeighted);
        Assert.Equal([0], op.ActivationInputs(graph.Node!, context));
    }

    [Theory]
    [InlineData("Add", true)]
    [InlineData("Mul", true)]
    [InlineData("Concat", false)]
    public void Binary_ops_quantize_every_input_and_add_and_mul_quantize_constant_operands_too(string opType, bool constants)
    {
        var graph = new OpGraph().Op(opType, ["a", "b", "c"]);
        var (_, context) = graph.Prepare();
        var op = OperatorQuantizers.For(opType)!;

        Assert.Equal([0, 1, 2], op.ActivationInputs(graph.Node!, context));
        Assert.Equal(constants, op.QuantizesConstantInputs);
        Assert.False(op.OutputSharesInputParams);
    }

    [Theory]
    [InlineData("Sigmoid")]
    [InlineData("Softmax")]
    [InlineData("LeakyRelu")]
    [InlineData("AveragePool")]
    [InlineData("GlobalAveragePool")]
    public void Ops_that_make_new_values_get_their_own_output_parameters(string opType)
    {
        var op = OperatorQuantizers.For(opType)!;

        Assert.False(op.OutputSharesInputParams);
        Assert.True(op.AlwaysQuantizeOutput);
    }

    [Fact]
    public void Cubic_resize_and_a_maxpool_whose_indices_are_read_stay_float()
    {
        var cubic = new OpGraph().Op("Resize", ["x", "", "scales"], n => NodeAttributes.SetString(n, "mode", "cubic"));
        var (_, context) = cubic.Prepare();
        var maxPool = new OpGraph().Op("MaxPool", ["x"], n => n.Output.Add("indices"));

        Assert.Equal("cubic interpolation can leave the input's range", OperatorQuantizers.For("Resize")!.Unsupported(cubic.Node!, context));
        Assert.Equal("the Indices output is used", OperatorQuantizers.For("MaxPool")!.Unsupported(maxPool.Node!, context));
        Assert.Null(OperatorQuantizers.For("Resize")!.Unsupported(new OpGraph().Op("Resize", ["x"]).Node!, context));
    }
}
