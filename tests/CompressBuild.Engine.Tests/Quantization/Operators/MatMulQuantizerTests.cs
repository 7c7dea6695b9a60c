using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Operators;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Operators;

public class MatMulQuantizerTests
{
    private static readonly OperatorQuantizer MatMul = OperatorQuantizers.For("MatMul")!;

    [Fact]
    public void Static_a_constant_b_is_a_weight_per_output_column_and_a_computed_b_is_an_activation()
    {
        var constant = new OpGraph().Weight("w", 8, 4).Op("MatMul", ["x", "w"]);
        var (_, context) = constant.Prepare();
        var weight = MatMul.Weight(constant.Single("MatMul"), context)!;

        Assert.Equal((1, 1), (weight.Index, weight.Axis));
        Assert.Equal([0], MatMul.ActivationInputs(constant.Single("MatMul"), context));

        var computed = new OpGraph().Op("MatMul", ["q", "k"]);
        var (_, computedContext) = computed.Prepare();
        Assert.Null(MatMul.Weight(computed.Single("MatMul"), computedContext));
        Assert.Equal([0, 1], MatMul.ActivationInputs(computed.Single("MatMul"), computedContext));
    }

    [Fact]
    public void Dynamic_becomes_DynamicQuantizeMatMul_over_int8_weights_per_column()
    {
        var graph = new OpGraph().Weight("w", 8, 4).Op("MatMul", ["x", "w"]);
        var (editor, context) = graph.Prepare();

        var result = MatMul.QuantizeDynamic(editor, context, graph.Node!);

        Assert.Equal(OpRewrite.Done("DynamicQuantizeMatMul, int8 weights per output column"), result);
        var node = graph.Single("DynamicQuantizeMatMul");
        Assert.Equal(GraphEditor.MicrosoftDomain, node.Domain);
        Assert.Equal("x", node.Input[0]);
        Assert.Equal([8L, 4L], graph.Graph.Initializer.Single(t => t.Name == node.Input[1]).Dims);
        Assert.Equal([4L], graph.Graph.Initializer.Single(t => t.Name == node.Input[2]).Dims);
    }

    [Fact]
    public void Dynamic_and_weight_only_leave_a_product_of_two_activations_float_without_an_advisory_reason()
    {
        var graph = new OpGraph().Op("MatMul", ["q", "k"]);
        var (editor, context) = graph.Prepare();

        Assert.Equal(OpRewrite.ActivationProduct, MatMul.QuantizeDynamic(editor, context, graph.Node!).Reason);
        Assert.Equal(OpRewrite.ActivationProduct, MatMul.QuantizeWeightOnly(editor, context, graph.Node!, new WeightOnlySettings(4, 13, null)).Reason);
        Assert.Equal("MatMul", graph.Node!.OpType);
    }

    [Fact]
    public void Weight_only_becomes_MatMulNBits_with_k_n_bits_and_block_size()
    {
        var graph = new OpGraph().Weight("w", 64, 16).Op("MatMul", ["x", "w"]);
        var (editor, context) = graph.Prepare(new QuantizationOptions { BlockSize = 32 });

        var result = MatMul.QuantizeWeightOnly(editor, context, graph.Node!, new WeightOnlySettings(4, 13, null));

        Assert.Equal(OpRewrite.Done("MatMulNBits, 4-bit blocks of 32, symmetric"), result);
        var node = graph.Single("MatMulNBits");
        Assert.Equal((64L, 16L, 4L, 32L), (NodeAttributes.Int(node, "K", 0), NodeAttributes.Int(node, "N", 0), NodeAttributes.Int(node, "bits", 0), NodeAttributes.Int(node, "block_size", 0)));
        // [N, blocks per column, blob bytes]: 16 columns of 2 blocks of 32 4-bit values (16 bytes).
        Assert.Equal([16L, 2L, 16L], graph.Graph.Initializer.Single(t => t.Name == node.Input[1]).Dims);
    }

    [Fact]
    public void Weight_only_names_gptq_in_the_detail_when_gptq_solved_the_weight()
    {
        var graph = new OpGraph().Weight("w", 64, 16).Op("MatMul", ["x", "w"]);
        var (editor, context) = graph.Prepare();
        var ranges = new Dictionary<string, float[]> { ["w"] = graph.Values("w") };

        var result = MatMul.QuantizeWeightOnly(editor, context, graph.Node!, new WeightOnlySettings(4, 13, ranges));

        Assert.Equal("MatMulNBits, 4-bit blocks of 32, symmetric, GPTQ", result.Detail);
    }

    [Fact]
    public void Weight_only_refuses_a_reduction_too_short_for_one_block()
    {
        var graph = new OpGraph().Weight("w", 8, 16).Op("MatMul", ["x", "w"]);
        var (editor, context) = graph.Prepare(new QuantizationOptions { BlockSize = 32 });

        Assert.Equal("K=8 is too small for blocks of 32", MatMul.QuantizeWeightOnly(editor, context, graph.Node!, new WeightOnlySettings(4, 13, null)).Reason);
    }
}
