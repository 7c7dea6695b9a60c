using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.Runtime;
using Xunit;

namespace CompressBuild.Engine.Tests.Pruning.Structured;

/// <summary>The channel graph on the ops the digits fixtures do not have.</summary>
public class ChannelGraphTests
{
    private static readonly string[] BatchNormParameters = ["bn.scale", "bn.bias", "bn.mean", "bn.var"];

    [Fact]
    public void BatchNorm_broadcast_constants_pooling_reshape_and_matmul_shrink_together()
    {
        var original = SyntheticModels.ConvBnReshapeMatMul();

        var result = ModelPruner.Run(original, new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.5 });

        var model = result.Model;
        Assert.Equal(new long[] { 4, 3, 3, 3 }, Dims(model, "c1.w"));
        foreach (var name in BatchNormParameters)
        {
            Assert.Equal(new long[] { 4 }, Dims(model, name));
        }
        Assert.Equal(new long[] { 1, 4, 1, 1 }, Dims(model, "k"));
        Assert.Equal(new long[] { 3, 4, 1, 1 }, Dims(model, "c2.w"));

        // Reshape [0,-1] after [1,6,4,4]: each removed channel takes its 16 features out of w3's rows.
        Assert.Equal(new long[] { 48, 6 }, Dims(model, "w3"));
        Assert.Equal(new long[] { 6, 5 }, Dims(model, "w4"));
        Assert.DoesNotContain(model.Graph.ValueInfo, v => v.Name == "c1");
        using var session = ModelSessions.Open(model);
        Assert.Equal(new long[] { 1, 5 }, session.Run(RandomInputs.Create(session.Inputs, new Dictionary<string, long>()))[0].Shape);
    }

    [Fact]
    public void ConvTranspose_reads_and_produces_channels()
    {
        var result = ModelPruner.Run(SyntheticModels.WithConvTranspose(), new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.5 });

        Assert.Equal(new long[] { 4, 2, 2, 2 }, Dims(result.Model, "tw"));
        Assert.Equal(new long[] { 2 }, Dims(result.Model, "tb"));
        Assert.Equal(new long[] { 5, 2, 1, 1 }, Dims(result.Model, "y.w"));
        using var session = ModelSessions.Open(result.Model);
        Assert.Equal(new long[] { 1, 5, 16, 16 }, session.Run(RandomInputs.Create(session.Inputs, new Dictionary<string, long>()))[0].Shape);
    }

    [Fact]
    public void Channels_reaching_an_op_the_graph_does_not_understand_are_protected()
    {
        var result = ModelPruner.Run(SyntheticModels.ConvIntoTranspose(), new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.5 });

        Assert.Equal(new long[] { 8, 3, 3, 3 }, Dims(result.Model, "c1.w"));
        var group = Assert.Single(result.ChannelGroups);
        Assert.Contains("Transpose", group.Protected, StringComparison.Ordinal);
        Assert.Contains(result.Advisories, a => a.Code == "CB4030");
    }

    [Fact]
    public void Nm_on_matmul_runs_along_k_the_reduction_axis()
    {
        var result = ModelPruner.Run(SyntheticModels.ConvBnReshapeMatMul(), new PruneSettings { Method = PruneMethod.NM, Pattern = new NmPattern(2, 4) });

        // w3 is [K=96, N=12]: for each column n, every 4 consecutive k keep at most 2.
        var w = TensorData.ToSingles(result.Model.Graph.Initializer.Single(t => t.Name == "w3"), result.Model);
        for (var n = 0; n < 12; n++)
        {
            for (var k = 0; k < 96; k += 4)
            {
                Assert.True(Enumerable.Range(k, 4).Count(i => w[(i * 12) + n] != 0) <= 2);
            }
        }

        Assert.Equal(0.5, result.Layers.Single(l => l.Weight == "w3").Sparsity);
    }

    [Fact]
    public void An_excluded_residual_Add_keeps_both_branches_channels_and_the_reason_names_it()
    {
        var original = PruningFixtures.Load("cnn_residual.onnx");
        var add = original.Graph.Node.First(n => n.OpType == "Add");

        var excluded = ModelPruner.Run(original, new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.5, ExcludeOpTypes = ["Add"] });
        var plain = ModelPruner.Run(original, new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.5 });

        // The residual pair feeding the Add (the shortcut's Conv and the branch's last Conv) keeps every channel, and
        // the same layers do lose channels when nothing is excluded.
        var named = excluded.ChannelGroups.Where(g => g.Protected == $"Add '{add.Name}' is excluded by exclude_op_types").ToList();
        Assert.Equal(2, named.Count);
        Assert.All(named, g => Assert.Equal(g.ChannelsBefore, g.ChannelsAfter));
        var members = named.SelectMany(g => g.Members).ToHashSet(StringComparer.Ordinal);
        Assert.All(plain.ChannelGroups.Where(g => g.Members.Any(members.Contains)), g => Assert.True(g.ChannelsAfter < g.ChannelsBefore));
    }

    private static long[] Dims(OnnxModel model, string name) => model.Graph.Initializer.Single(t => t.Name == name).Dims.ToArray();
}
