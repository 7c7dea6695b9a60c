using CompressBuild.Engine.Onnx;
using CompressBuild.Testing;
using Xunit;
using static CompressBuild.Engine.Tests.Onnx.OpNodes;

namespace CompressBuild.Engine.Tests.Onnx;

public class ConvFormTests
{
    [Fact]
    public void A_plain_conv_has_one_group_and_its_weight_dims_as_channels()
    {
        var form = ConvForm.Of(Node("Conv", "x", "w"), [16, 8, 3, 3])!;

        Assert.Equal((1, 16L, 8L, 16L, 8L), (form.Group, form.OutputChannels, form.InputChannels, form.OutputsPerGroup, form.InputsPerGroup));
        Assert.Equal([3L, 3L], form.Kernel);
        Assert.Equal(9, form.KernelSize);
        Assert.False(form.Depthwise);
        Assert.False(form.Transposed);
    }

    [Fact]
    public void A_grouped_conv_counts_channels_per_group()
    {
        var form = ConvForm.Of(Node("Conv", "x", "w").WithInt("group", 4), [32, 2, 5])!;

        Assert.Equal((4, 32L, 8L, 8L, 2L), (form.Group, form.OutputChannels, form.InputChannels, form.OutputsPerGroup, form.InputsPerGroup));
        Assert.False(form.Depthwise);
    }

    [Fact]
    public void A_conv_with_one_input_channel_per_group_is_depthwise()
    {
        var form = ConvForm.Of(Node("Conv", "x", "w").WithInt("group", 24), [48, 1, 3, 3])!;

        Assert.True(form.Depthwise);
        Assert.Equal(2, form.OutputsPerGroup);
    }

    [Fact]
    public void A_conv_transpose_reads_its_weight_as_inputs_then_outputs_per_group()
    {
        var form = ConvForm.Of(Node("ConvTranspose", "x", "w").WithInt("group", 2), [8, 3, 2, 2])!;

        Assert.True(form.Transposed);
        Assert.Equal((8L, 4L, 6L, 3L), (form.InputChannels, form.InputsPerGroup, form.OutputChannels, form.OutputsPerGroup));
    }

    [Fact]
    public void A_group_that_does_not_divide_the_channels_or_a_flat_weight_has_no_form()
    {
        Assert.Null(ConvForm.Of(Node("Conv", "x", "w").WithInt("group", 3), [16, 1, 3, 3]));
        Assert.Null(ConvForm.Of(Node("Conv", "x", "w").WithInt("group", 0), [16, 1, 3, 3]));
        Assert.Null(ConvForm.Of(Node("Conv", "x", "w"), [16, 8]));
        Assert.Null(ConvForm.Of(Node("Gemm", "x", "w"), [16, 8, 3]));
    }

    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Every_conv_of_the_detector_has_a_form_and_its_depthwise_layers_are_found()
    {
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrDetector));
        ConstantPromotion.Promote(model.Graph);
        var weights = model.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var convs = model.Graph.Node.Where(n => n.OpType == "Conv" && weights.ContainsKey(n.Input[1])).ToList();

        var forms = convs.Select(n => (Node: n, Form: ConvForm.Of(n, weights[n.Input[1]].Dims))).ToList();

        Assert.NotEmpty(forms);
        Assert.All(forms, f => Assert.Equal(weights[f.Node.Input[1]].Dims[0], f.Form!.OutputChannels));
        var depthwise = forms.Where(f => f.Form!.Depthwise).ToList();
        Assert.NotEmpty(depthwise);
        Assert.All(depthwise, f => Assert.Equal(f.Form!.Group, f.Form.InputChannels));
    }
}
