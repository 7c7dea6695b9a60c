using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization.Operators;
using Xunit;
using DataType = CompressBuild.Engine.Onnx.Proto.TensorProto.Types.DataType;

namespace CompressBuild.Engine.Tests.Quantization.Operators;

public class GatherQuantizerTests
{
    private static readonly OperatorQuantizer Gather = OperatorQuantizers.For("Gather", OpMode.Dynamic)!;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_embedding_table_becomes_int8_and_the_picked_rows_are_dequantized(bool dynamic)
    {
        var graph = new OpGraph().Weight("table", 50, 8).Op("Gather", ["table", "ids"]);
        var (editor, context) = graph.Prepare();

        var result = dynamic
            ? Gather.QuantizeDynamic(editor, context, graph.Node!)
            : Gather.QuantizeWeightOnly(editor, context, graph.Node!, new WeightOnlySettings(4, 13, null));

        Assert.Equal(OpRewrite.Done("int8 table, rows dequantized after Gather"), result);
        var gather = graph.Single("Gather");
        Assert.Equal((int)DataType.Int8, graph.Graph.Initializer.Single(t => t.Name == gather.Input[0]).DataType);
        var dq = graph.Single("DequantizeLinear");
        Assert.Equal((gather.Output[0], "y"), (dq.Input[0], dq.Output[0]));
    }

    [Fact]
    public void A_gather_on_another_axis_is_not_an_embedding_lookup()
    {
        var graph = new OpGraph().Weight("table", 50, 8).Op("Gather", ["table", "ids"], n => NodeAttributes.SetInt(n, "axis", 1));
        var (editor, context) = graph.Prepare();

        Assert.Equal("not an embedding lookup (a constant 2-D float32 table gathered on axis 0)", Gather.QuantizeDynamic(editor, context, graph.Node!).Reason);
        Assert.Equal("table", graph.Node!.Input[0]);
    }
}
