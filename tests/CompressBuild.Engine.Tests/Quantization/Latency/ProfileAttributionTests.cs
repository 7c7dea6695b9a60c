using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Latency;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Latency;

public sealed class ProfileAttributionTests
{
    [Fact]
    public void Fused_and_renamed_kernels_are_charged_to_the_node_they_came_from_and_shared_overheads_to_none()
    {
        // conv writes what was the BatchNormalization's output before folding; 'p2o.Mul.2' is the name an export
        // gave a Mul that our HardSwish fusion absorbed, so a float Mul of that name is not the HardSwish.
        var graph = new GraphProto
        {
            Node =
            {
                Node("Conv", "conv", "bn_out"),
                Node("HardSwish", "p2o.Mul.2", "hs_out"),
                Node("MaxPool", "pool", "pool_out"),
            },
        };
        NodeTiming[] timings =
        [
            new("bn_out_nchwc", "Conv", 20),           // ORT's NCHWc Conv, named after its output
            new("conv_token_17", "QLinearConv", 30),   // a QDQ fusion's node, named after its source
            new("p2o.Mul.2", "Mul", 4),                 // same name, different operation
            new("pool", "MaxPool", 7),
            new("bn_out_QuantizeLinear", "QuantizeLinear", 9),
            new("ReorderOutput_token_3", "ReorderOutput", 5),
        ];

        var costs = ProfileAttribution.Attribute(graph, timings);

        Assert.Equal(new Dictionary<string, double> { ["conv"] = 50, ["pool"] = 7 }, costs);
    }

    [Theory]
    [InlineData("QLinearConv", "Conv", true)]
    [InlineData("FusedConv", "Conv", true)]
    [InlineData("ConvInteger", "Conv", true)]
    [InlineData("QGemm", "Gemm", true)]
    [InlineData("NhwcMaxPool", "MaxPool", true)]
    [InlineData("QLinearGlobalAveragePool", "GlobalAveragePool", true)]
    [InlineData("Mul", "HardSwish", false)]
    [InlineData("QuantizeLinear", "Conv", false)]
    public void A_kernel_matches_an_op_type_only_in_one_of_its_runtime_forms(string kernel, string opType, bool same)
    {
        Assert.Equal(same, ProfileAttribution.SameOperation(kernel, opType));
    }

    private static NodeProto Node(string op, string name, string output) => new() { OpType = op, Name = name, Input = { "in" }, Output = { output } };
}
