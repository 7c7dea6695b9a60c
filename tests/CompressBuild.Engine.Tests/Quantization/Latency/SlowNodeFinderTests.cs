using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Latency;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Latency;

public sealed class SlowNodeFinderTests
{
    private static readonly NodeDecision[] Decisions =
    [
        new("dw", "Conv", true, "per-channel weights"),
        new("pw", "Conv", true, "per-channel weights"),
        new("tiny", "Add", true, "activations u8/s8 via QDQ"),
        new("marginal", "Conv", true, "per-channel weights"),
        new("float", "Softmax", false, "no int8 QDQ form for this op type"),
        new("fused-away", "Mul", true, "activations u8/s8 via QDQ"),
    ];

    private static readonly Dictionary<string, double> Quantized = new()
    {
        ["dw"] = 75, ["pw"] = 15, ["tiny"] = 4, ["marginal"] = 14, ["float"] = 90,
    };

    private static readonly Dictionary<string, double> Float = new()
    {
        ["dw"] = 18, ["pw"] = 30, ["tiny"] = 2, ["marginal"] = 10, ["float"] = 9, ["fused-away"] = 6,
    };

    [Fact]
    public void Only_quantized_nodes_clearly_slower_than_their_float_kernel_are_named_largest_loss_first()
    {
        var clear = SlowNodeFinder.Find(Decisions, Quantized, Float, factor: 2.0);
        var marginal = SlowNodeFinder.Find(Decisions, Quantized, Float, factor: 1.1);

        // tiny: 4 us against 2 us is inside the 2 us noise margin; float: not quantized; fused-away: no int8 timing.
        Assert.Equal([new SlowNode("dw", "Conv", 75, 18)], clear);
        Assert.Equal(["dw", "marginal"], marginal.Select(s => s.Node));
    }
}
