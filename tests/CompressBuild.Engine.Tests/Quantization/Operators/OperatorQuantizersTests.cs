using CompressBuild.Engine.Quantization.Operators;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Operators;

public class OperatorQuantizersTests
{
    [Theory]
    [InlineData("Conv", true, true, true)]
    [InlineData("Gemm", true, true, true)]
    [InlineData("MatMul", true, true, true)]
    [InlineData("Gather", false, true, true)]
    [InlineData("Add", true, false, false)]
    [InlineData("Sigmoid", true, false, false)]
    [InlineData("Reshape", true, false, false)]
    [InlineData("LayerNormalization", false, false, false)]
    public void Each_mode_finds_exactly_the_ops_it_has_a_form_for(string opType, bool qdq, bool dynamic, bool weightOnly)
    {
        Assert.Equal(qdq, OperatorQuantizers.For(opType) is not null);
        Assert.Equal(qdq, OperatorQuantizers.For(opType, OpMode.Qdq) is not null);
        Assert.Equal(dynamic, OperatorQuantizers.For(opType, OpMode.Dynamic) is not null);
        Assert.Equal(weightOnly, OperatorQuantizers.For(opType, OpMode.WeightOnly) is not null);
    }

    [Fact]
    public void There_is_one_class_per_op_type_and_it_answers_for_its_own_op()
    {
        var all = OperatorQuantizers.All.ToList();

        Assert.Equal(all.Count, all.Select(q => q.OpType).Distinct(StringComparer.Ordinal).Count());
        Assert.All(all, q => Assert.Same(q, OperatorQuantizers.Find(q.OpType)));
        Assert.All(all.Where(q => q.HasForm(OpMode.Qdq) || q.HasForm(OpMode.Dynamic)),
            q => Assert.Same(q, OperatorQuantizers.For(q.OpType, q.HasForm(OpMode.Qdq) ? OpMode.Qdq : OpMode.Dynamic)));
    }

    [Theory]
    [InlineData("LSTM", new[] { 5, 6 }, new[] { 1, 2 })]
    [InlineData("GRU", new[] { 5 }, new[] { 1 })]
    [InlineData("RNN", new[] { 5 }, new[] { 1 })]
    [InlineData("Conv", new int[0], new int[0])]
    public void Recurrent_ops_declare_the_inputs_and_outputs_that_carry_their_state(string opType, int[] inputs, int[] outputs)
    {
        var quantizer = OperatorQuantizers.Find(opType)!;

        Assert.Equal(inputs, quantizer.StateInputs);
        Assert.Equal(outputs, quantizer.StateOutputs);
    }

    [Fact]
    public void An_op_without_a_form_in_a_mode_refuses_to_be_asked()
    {
        var graph = new OpGraph().Op("Add", ["a", "b"]);
        var (editor, context) = graph.Prepare();
        var add = OperatorQuantizers.For("Add")!;

        Assert.Throws<InvalidOperationException>(() => add.QuantizeDynamic(editor, context, graph.Single("Add")));
    }

    [Fact]
    public void Only_conv_is_slower_when_quantized_and_weight_only_says_nothing_of_a_float_conv()
    {
        var conv = OperatorQuantizers.For("Conv")!;
        var matmul = OperatorQuantizers.For("MatMul")!;
        var gather = OperatorQuantizers.For("Gather", OpMode.Dynamic)!;

        Assert.True(conv.SlowerWhenQuantized(OpMode.Dynamic) && conv.SlowerWhenQuantized(OpMode.WeightOnly));
        Assert.False(matmul.SlowerWhenQuantized(OpMode.Dynamic) || gather.SlowerWhenQuantized(OpMode.WeightOnly));
        Assert.True(conv.AdvisesLeftFloat(OpMode.Dynamic));
        Assert.False(conv.AdvisesLeftFloat(OpMode.WeightOnly));
        Assert.True(matmul.AdvisesLeftFloat(OpMode.Dynamic) && matmul.AdvisesLeftFloat(OpMode.WeightOnly));
        Assert.False(gather.AdvisesLeftFloat(OpMode.Dynamic));
    }
}
