using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Calibration;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Calibration;

public sealed class SaturationClampTests
{
    [Fact]
    public void A_tensor_read_only_by_HardSwish_is_clamped_at_minus_3()
    {
        var graph = Graph(("HardSwish", null));

        var range = SaturationClamp.Apply(new QuantRange(-205f, 206f), "x", GraphIndex.Build(graph));

        Assert.Equal(new QuantRange(-3f, 206f), range);
    }

    [Fact]
    public void A_tensor_read_only_by_HardSigmoid_is_clamped_at_both_saturation_points()
    {
        var graph = Graph(("HardSigmoid", 1f / 6));

        var range = SaturationClamp.Apply(new QuantRange(-50f, 40f), "x", GraphIndex.Build(graph));

        Assert.Equal(-3f, range.Low, 5);
        Assert.Equal(3f, range.High, 5);
    }

    [Fact]
    public void A_tensor_with_another_reader_keeps_its_range()
    {
        var graph = Graph(("HardSwish", null), ("Relu", null));

        var range = SaturationClamp.Apply(new QuantRange(-205f, 206f), "x", GraphIndex.Build(graph));

        Assert.Equal(new QuantRange(-205f, 206f), range);
    }

    private static GraphProto Graph(params (string Op, float? Alpha)[] readers)
    {
        var graph = new GraphProto();
        graph.Input.Add(new ValueInfoProto { Name = "x" });
        for (var i = 0; i < readers.Length; i++)
        {
            var node = new NodeProto { OpType = readers[i].Op, Name = $"n{i}" };
            node.Input.Add("x");
            node.Output.Add($"y{i}");
            if (readers[i].Alpha is { } alpha)
            {
                node.Attribute.Add(new AttributeProto { Name = "alpha", F = alpha, Type = AttributeProto.Types.AttributeType.Float });
            }

            graph.Node.Add(node);
            graph.Output.Add(new ValueInfoProto { Name = $"y{i}" });
        }

        return graph;
    }
}
