using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.Pruning.Structured;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pruning.Structured;

/// <summary>
/// round_to auto on a two-Conv model whose pruned group has 60 channels: 25% keeps 45, which no NCHWc block divides,
/// against 48, which ONNX Runtime runs on its NCHWc kernels (block 8 on AVX2, 16 on AVX-512). Assertions read op
/// counts and rules, never timings, so load on the machine cannot flip them.
/// </summary>
public class AutoRoundingTests
{
    [Fact]
    public void Candidate_counts_round_the_allocation_up_to_each_multiple_within_the_group()
    {
        Assert.Equal([(45, 1), (48, 16)], RoundToChoice.Counts(45, 60));
        Assert.Equal([(346, 1), (348, 4), (352, 32)], RoundToChoice.Counts(346, 384));
        Assert.Equal([(48, 16)], RoundToChoice.Counts(48, 60));
    }

    [Fact]
    public void A_larger_count_replaces_the_allocation_only_when_it_is_clearly_faster_round_by_round()
    {
        var slow = new RoundToCandidate(45, 1, [1.0, 1.0, 1.0]);
        Assert.Equal(48, RoundToChoice.Choose([slow, new RoundToCandidate(48, 16, [0.5, 0.5, 0.5])]).Count);
        Assert.Equal(45, RoundToChoice.Choose([slow, new RoundToCandidate(48, 16, [0.95, 0.95, 0.95])]).Count);
        Assert.Equal(45, RoundToChoice.Choose([new RoundToCandidate(48, 16, [1.2, 1.2, 1.2]), slow]).Count);

        // Each step is compared with the current choice, not with the allocation's count.
        Assert.Equal(48, RoundToChoice.Choose([slow, new RoundToCandidate(48, 16, [0.5, 0.5, 0.5]), new RoundToCandidate(64, 32, [0.48, 0.48, 0.48])]).Count);
        Assert.Equal(64, RoundToChoice.Choose([slow, new RoundToCandidate(48, 16, [0.5, 0.5, 0.5]), new RoundToCandidate(64, 32, [0.4, 0.4, 0.4])]).Count);
    }

    [Fact]
    public void Rounds_are_compared_pairwise_so_a_load_spike_in_one_round_does_not_flip_the_choice()
    {
        // Medians alone would say 48 is faster (0.5 against 1.0 ms), but round by round it is slower in two of three.
        var allocation = new RoundToCandidate(45, 1, [0.40, 1.00, 3.00]);
        var rounded = new RoundToCandidate(48, 16, [0.44, 1.10, 0.50]);
        Assert.Equal(45, RoundToChoice.Choose([allocation, rounded]).Count);
    }

    [Fact]
    public void The_probe_at_a_block_multiple_runs_every_layer_on_nchwc_kernels_and_the_allocations_count_does_not()
    {
        var model = new OnnxModel(TwoConvs(), baseDirectory: null);
        var shapes = ShapeProbe.Run(model);
        var graph = ChannelGraph.Build(model, shapes, NodeExclusions.None);
        var group = graph.Spaces.Single(s => s.Value == "a").Ids().Select(graph.Channels.Find).ToHashSet();

        var at45 = ChannelCountProbe.Build(graph, shapes, group, 60, 45)!;
        var at48 = ChannelCountProbe.Build(graph, shapes, group, 60, 48)!;

        // Both layers of the group, at their real input shapes, shrunk to the count.
        Assert.Equal(2, at48.Graph.Node.Count);
        Assert.Equal([48L, 16, 3, 3], at48.Graph.Initializer[0].Dims);
        Assert.Equal([16L, 48, 3, 3], at48.Graph.Initializer[1].Dims);
        Assert.Equal(48, at48.Graph.Input[1].Type.TensorType.Shape.Dim[1].DimValue);
        // At 45 the Conv producing the channels stays on im2col + SGEMM (only the one reading them is moved); at 48 both are.
        Assert.Equal(1, NchwcConvs(at45));
        Assert.Equal(2, NchwcConvs(at48));
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
        Assert.Equal(group.ChannelsAfter == 48 ? 16 : 1, group.RoundTo);
    }

    [Fact]
    public void Round_to_auto_without_calibration_on_symbolic_spatial_sizes_is_cb2052_naming_the_input()
    {
        var proto = TwoConvs();
        proto.Graph.Input[0] = TestModels.Tensor("x", TensorProto.Types.DataType.Float, 1, 16, "height", "width");
        proto.Graph.Output[0] = TestModels.Tensor("y", TensorProto.Types.DataType.Float, 1, 16, "height", "width");
        var settings = new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.25, RoundToAuto = true };

        var e = Assert.Throws<CompressBuildException>(() => ModelPruner.Run(new OnnxModel(proto, baseDirectory: null), settings));

        Assert.Equal("CB2052", e.Code.Id);
        Assert.Contains("input(s) x", e.Message, StringComparison.Ordinal);
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
