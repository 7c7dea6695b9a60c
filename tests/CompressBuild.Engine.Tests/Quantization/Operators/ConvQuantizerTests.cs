using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Operators;
using Xunit;
using DataType = CompressBuild.Engine.Onnx.Proto.TensorProto.Types.DataType;

namespace CompressBuild.Engine.Tests.Quantization.Operators;

public class ConvQuantizerTests
{
    private static readonly OperatorQuantizer Conv = OperatorQuantizers.For("Conv")!;

    [Fact]
    public void Static_weight_per_output_channel_bias_as_int32_and_only_x_is_an_activation()
    {
        var graph = new OpGraph().Weight("w", 6, 3, 3, 3).Weight("b", 6).Op("Conv", ["x", "w", "b"]);
        var (_, context) = graph.Prepare();

        Assert.Equal((1, 0), (Conv.Weight(graph.Node!, context)!.Index, Conv.Weight(graph.Node!, context)!.Axis));
        Assert.Equal(2, Conv.BiasInput(graph.Node!, context));
        Assert.Equal([0], Conv.ActivationInputs(graph.Node!, context));
        Assert.Equal("weight is not a float32 constant", Conv.Unsupported(new OpGraph().Op("Conv", ["x", "computed"]).Node!, context));
    }

    [Fact]
    public void Dynamic_becomes_DynamicQuantizeLinear_ConvInteger_then_float_rescale_and_bias_keeping_the_window()
    {
        var graph = new OpGraph().Weight("w", 6, 3, 3, 3).Weight("b", 6)
            .Op("Conv", ["x", "w", "b"], n =>
            {
                NodeAttributes.SetInt(n, "group", 1);
                n.Attribute.Add(new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1, 1, 1 } });
            });
        var (editor, context) = graph.Prepare();

        Assert.Equal(OpRewrite.Done("ConvInteger, u8 weights per output channel (symmetric around 128), activation quantized per call (DynamicQuantizeLinear)"),
            Conv.QuantizeDynamic(editor, context, graph.Node!));
        editor.Finish();

        Assert.Equal(["Add", "Cast", "ConvInteger", "DynamicQuantizeLinear", "Mul", "Mul"], graph.Graph.Node.Select(n => n.OpType).Order(StringComparer.Ordinal));
        var conv = graph.Single("ConvInteger");
        Assert.Equal([1L, 1L, 1L, 1L], NodeAttributes.Ints(conv, "pads"));
        Assert.Equal((int)DataType.Uint8, graph.Graph.Initializer.Single(t => t.Name == conv.Input[1]).DataType);
        Assert.Equal("y", graph.Single("Add").Output[0]);
    }

    [Fact]
    public void Weight_only_stores_int8_per_output_channel_behind_DequantizeLinear_below_opset_21()
    {
        var graph = new OpGraph().Weight("w", 6, 3, 3, 3).Op("Conv", ["x", "w"]);
        var (editor, context) = graph.Prepare();

        var result = Conv.QuantizeWeightOnly(editor, context, graph.Node!, new WeightOnlySettings(4, 13, null));

        Assert.Equal("int8 weights per output channel behind DequantizeLinear (int4 needs opset 21; this model stays at 13)", result.Detail);
        var dq = graph.Single("DequantizeLinear");
        Assert.Equal(dq.Output[0], graph.Single("Conv").Input[1]);
        Assert.Equal(0, NodeAttributes.Int(dq, "axis", -1));
        Assert.Equal((int)DataType.Int8, graph.Graph.Initializer.Single(t => t.Name == dq.Input[0]).DataType);
    }

    [Fact]
    public void Weight_only_at_opset_21_stores_int4()
    {
        var graph = new OpGraph(21).Weight("w", 4, 2, 3, 3).Op("Conv", ["x", "w"]);
        var (editor, context) = graph.Prepare();

        Assert.Equal("int4 weights per output channel behind DequantizeLinear (opset 21)", Conv.QuantizeWeightOnly(editor, context, graph.Node!, new WeightOnlySettings(4, 21, null)).Detail);
        var data = graph.Graph.Initializer.Single(t => t.Name == graph.Single("DequantizeLinear").Input[0]);
        Assert.Equal((int)DataType.Int4, data.DataType);
        Assert.Equal(36, data.RawData.Length);
    }
}
