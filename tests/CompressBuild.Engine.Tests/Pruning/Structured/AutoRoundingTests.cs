using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.Pruning.Structured;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Google.Protobuf;
using Xunit;

namespace CompressBuild.Engine.Tests.Pruning.Structured;

/// <summary>
/// round_to auto on a two-Conv model whose pruned group has 60 channels: 25% keeps 45, which no NCHWc block divides,
/// against 48 at the CPU's block (8 on AVX2, 16 on AVX-512), which ONNX Runtime runs on its NCHWc kernels. Assertions
/// read op counts and rules, never timings, so load on the machine cannot flip them.
/// </summary>
public class AutoRoundingTests
{
    [Fact]
    public void The_block_tried_is_16_with_avx512f_and_8_with_avx2_as_in_mlas()
    {
        if (!File.Exists("/proc/cpuinfo") || !CpuFeatures.IsX86)
        {
            Assert.Equal(1, RoundToChoice.Block);
            return;
        }

        var flags = File.ReadAllText("/proc/cpuinfo").Split('\n').First(l => l.StartsWith("flags", StringComparison.Ordinal)).Split(' ').ToHashSet();
        Assert.Equal(flags.Contains("avx512f") ? 16 : flags.Contains("avx2") && flags.Contains("fma") ? 8 : 1, RoundToChoice.Block);
    }

    [Fact]
    public void The_block_stands_unless_round_to_1_was_faster_in_the_median_of_per_round_ratios()
    {
        var one = new RoundToCandidate(1, [1.0, 1.0, 1.0]);
        Assert.Equal(16, RoundToChoice.Choose(one, new RoundToCandidate(16, [0.9, 0.9, 0.9])).Multiple);
        Assert.Equal(16, RoundToChoice.Choose(one, new RoundToCandidate(16, [1.0, 1.0, 1.0])).Multiple);
        Assert.Equal(1, RoundToChoice.Choose(one, new RoundToCandidate(16, [1.05, 1.05, 1.05])).Multiple);
    }

    [Fact]
    public void Rounds_are_compared_pairwise_so_a_load_spike_in_one_round_does_not_flip_the_choice()
    {
        // Medians alone would say the block model is faster (0.5 against 1.0 ms), but round by round it is slower in two of three.
        var one = new RoundToCandidate(1, [0.40, 1.00, 3.00]);
        var block = new RoundToCandidate(16, [0.44, 1.10, 0.50]);
        Assert.Equal(1, RoundToChoice.Choose(one, block).Multiple);
    }

    [Fact]
    public void Pruned_at_the_block_multiple_every_conv_runs_on_nchwc_kernels_and_at_the_allocations_count_one_does_not()
    {
        Assert.True(RoundToChoice.Block > 1, "this test needs an x86 CPU with AVX2 or AVX-512");
        var at45 = ModelPruner.Run(new OnnxModel(TwoConvs(), baseDirectory: null), new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.25 }).Model;
        var atBlock = ModelPruner.Run(new OnnxModel(TwoConvs(), baseDirectory: null),
            new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.25, RoundTo = RoundToChoice.Block }).Model;

        Assert.Equal([45L, 16, 3, 3], at45.Graph.Initializer.Single(t => t.Name == "wa").Dims);
        Assert.Equal([48L, 16, 3, 3], atBlock.Graph.Initializer.Single(t => t.Name == "wa").Dims);
        // At 45 the Conv producing the channels stays on im2col + SGEMM (only the one reading them is moved); at 48 both are.
        Assert.Equal(1, NchwcConvs(at45));
        Assert.Equal(2, NchwcConvs(atBlock));
    }

    [Fact]
    public void Round_to_auto_keeps_a_multiple_of_the_count_it_reports_and_never_fewer_channels_than_the_allocation()
    {
        var model = new OnnxModel(TwoConvs(), baseDirectory: null);
        var settings = new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.25, RoundToAuto = true };

        var result = ModelPruner.Run(model, settings);

        var group = result.ChannelGroups.Single(g => g.Members.SequenceEqual(["a"]));
        Assert.True(group.ChannelsAfter is 45 or 48, $"{group.ChannelsAfter} channels kept");
        Assert.Equal(0, group.ChannelsAfter % group.RoundTo);
        Assert.Equal(group.ChannelsAfter == 48 ? RoundToChoice.Block : 1, group.RoundTo);
    }

    [Fact]
    public void Round_to_auto_without_calibration_on_symbolic_spatial_sizes_prunes_by_the_rule_untimed_with_cb4073_naming_the_input()
    {
        var proto = TwoConvs();
        proto.Graph.Input[0] = TestModels.Tensor("x", TensorProto.Types.DataType.Float, 1, 16, "height", "width");
        proto.Graph.Output[0] = TestModels.Tensor("y", TensorProto.Types.DataType.Float, 1, 16, "height", "width");
        var settings = new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.25, RoundToAuto = true };

        var result = ModelPruner.Run(new OnnxModel(proto, baseDirectory: null), settings);

        var advisory = Assert.Single(result.Advisories, a => a.Code == "CB4073");
        Assert.Contains("input(s) x", advisory.Message, StringComparison.Ordinal);
        Assert.NotNull(result.RoundTo);
        Assert.Null(result.RoundTo.MeasuredRatio);
        Assert.Equal(RoundToChoice.Block > 1 ? 48 : 45, result.ChannelGroups.Single(g => g.Members.SequenceEqual(["a"])).ChannelsAfter);
    }

    [Theory]
    [InlineData(100.0, 100.0, 16, 16)]
    [InlineData(100.0, 80.0, 16, 16)]
    [InlineData(100.0, 75.0, 8, 8)]
    [InlineData(100.0, 74.0, 16, 1)]
    [InlineData(100.0, 0.0, 16, 1)]
    [InlineData(100.0, 120.0, 1, 1)]
    public void The_rule_keeps_the_block_while_it_removes_at_least_three_quarters_of_the_multiply_adds_round_to_1_removes(
        double atOne, double atBlock, int block, int expected)
    {
        Assert.Equal(expected, RoundToChoice.Rule(atOne, atBlock, block).Multiple);
    }

    [Theory]
    [InlineData(0.0478, 0.0655, 16)]
    [InlineData(0.010, 0.009, 16)]
    [InlineData(0.010, 0.0151, 1)]
    [InlineData(0.0128, 0.0435, 1)]
    public void With_calibration_the_rule_keeps_the_block_only_while_its_plan_distorts_the_output_at_most_half_as_much_again(double atOne, double atBlock, int expected)
    {
        var (multiple, reason) = RoundToChoice.Rule(100, 90, 16, (atOne, atBlock));

        Assert.Equal(expected, multiple);
        Assert.Equal(expected == 1, reason.Contains("output distortion", StringComparison.Ordinal));
    }

    [Fact]
    public void Timing_contradicts_the_choice_only_when_the_other_candidate_won_three_rounds_in_four()
    {
        double[] Sorted(params double[] ratios) => [.. ratios.Order()];

        Assert.True(RoundToChoice.Contradicts(16, Sorted(1.05, 1.04, 1.06, 1.02, 1.08)));
        Assert.False(RoundToChoice.Contradicts(16, Sorted(1.05, 0.97, 1.06, 0.96, 1.08)));
        Assert.False(RoundToChoice.Contradicts(16, Sorted(0.95, 0.97, 0.96)));
        Assert.True(RoundToChoice.Contradicts(1, Sorted(0.95, 0.97, 0.96)));
        Assert.False(RoundToChoice.Contradicts(1, []));
    }

    [Fact]
    public void Round_to_auto_twice_on_the_same_model_writes_the_same_bytes_and_reports_the_measured_times()
    {
        var settings = new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.25, RoundToAuto = true };

        var first = ModelPruner.Run(new OnnxModel(TwoConvs(), baseDirectory: null), settings);
        var second = ModelPruner.Run(new OnnxModel(TwoConvs(), baseDirectory: null), settings);

        Assert.Equal(first.Model.Proto.ToByteArray(), second.Model.Proto.ToByteArray());
        Assert.NotNull(first.RoundTo);
        Assert.Equal(first.RoundTo.Chosen, second.RoundTo!.Chosen);
        Assert.Equal(first.RoundTo.Reason, second.RoundTo.Reason);
        if (RoundToChoice.Block > 1)
        {
            // 12 of 60 channels at the block against 15 at round_to 1: 80% of the multiply-adds, so the rule keeps the block.
            Assert.Equal(RoundToChoice.Block, first.RoundTo.Chosen);
            Assert.Equal(0.8, first.RoundTo.RemovedAtBlock / first.RoundTo.RemovedAtOne, 3);
            Assert.True(first.RoundTo.MeasuredOneMs > 0 && first.RoundTo.MeasuredBlockMs > 0, "both pruned models timed");
            Assert.InRange(first.RoundTo.MeasuredRounds, 15, 41);
        }
    }

    /// <summary>x [1,16,28,28] -> Conv 3x3 (60) -> Relu -> Conv 3x3 (16) -> y.</summary>
    private static ModelProto TwoConvs()
    {
        var model = TestModels.Empty(13);
        var random = new Random(5);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        model.Graph.Initializer.Add(TensorData.FromArray<float>("wa", [60, 16, 3, 3], Values(60 * 16 * 9)));
        model.Graph.Initializer.Add(TensorData.FromArray<float>("wb", [16, 60, 3, 3], Values(16 * 60 * 9)));
        var pads = new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1, 1, 1 } };
        var a = TestModels.Node("Conv", ["x", "wa"], ["a"]);
        a.Attribute.Add(pads.Clone());
        var b = TestModels.Node("Conv", ["r", "wb"], ["y"]);
        b.Attribute.Add(pads.Clone());
        model.Graph.Node.Add(a);
        model.Graph.Node.Add(TestModels.Node("Relu", ["a"], ["r"]));
        model.Graph.Node.Add(b);
        model.Graph.Input.Add(TestModels.Tensor("x", TensorProto.Types.DataType.Float, 1, 16, 28, 28));
        model.Graph.Output.Add(TestModels.Tensor("y", TensorProto.Types.DataType.Float, 1, 16, 28, 28));
        return model;
    }

    /// <summary>Convs ONNX Runtime's optimizer moved to its NCHWc layout (domain com.microsoft.nchwc) in the probe.</summary>
    private static int NchwcConvs(OnnxModel probe)
    {
        using var temp = new TempFolder();
        var optimized = Path.Combine(temp.Path, "optimized.onnx");
        using (ModelSessions.Open(probe, new SessionSettings { IntraOpThreads = 1, OptimizedModelPath = optimized }))
        {
        }

        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimized));
        return proto.Graph.Node.Count(n => n.OpType == "Conv" && n.Domain == "com.microsoft.nchwc");
    }
}
