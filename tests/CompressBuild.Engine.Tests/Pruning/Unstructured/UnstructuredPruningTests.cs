using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pruning.Unstructured;

public class UnstructuredPruningTests
{
    [Theory]
    [InlineData("mlp.onnx", 0.3)]
    [InlineData("cnn_residual.onnx", 0.7)]
    [InlineData("cnn_concat_dw.onnx", 0.5)]
    public void Layer_scope_hits_the_requested_sparsity_in_every_layer_within_one_weight(string fixture, double sparsity)
    {
        var result = ModelPruner.Run(PruningFixtures.Load(fixture), new PruneSettings { Sparsity = sparsity, Scope = SparsityScope.Layer });

        Assert.NotEmpty(result.Layers);
        foreach (var layer in result.Layers)
        {
            var zeros = CountZeros(result.Model, layer.Weight);
            Assert.InRange(zeros, (sparsity * layer.ParametersBefore) - 1, (sparsity * layer.ParametersBefore) + 1);
            Assert.Equal(layer.ZerosAfter, zeros);
        }

        Assert.Contains(result.Advisories, a => a.Code == "CB4031");
    }

    [Theory]
    [InlineData(SparsityAllocation.Uniform)]
    [InlineData(SparsityAllocation.Lamp)]
    public void Global_scope_hits_the_requested_sparsity_over_all_layers(SparsityAllocation allocation)
    {
        var result = ModelPruner.Run(PruningFixtures.Load("cnn_residual.onnx"), new PruneSettings { Sparsity = 0.6, Allocation = allocation });

        var total = result.Layers.Sum(l => l.ParametersBefore);
        var zeros = result.Layers.Sum(l => CountZeros(result.Model, l.Weight));
        Assert.InRange(zeros, (0.6 * total) - 1, (0.6 * total) + 1);
        Assert.InRange(result.MeasuredSparsity, 0.6 - (1.0 / total), 0.6 + (1.0 / total));

        // Global ranking gives layers different sparsities.
        Assert.True(result.Layers.Select(l => Math.Round(l.Sparsity, 2)).Distinct().Count() > 1);
    }

    [Fact]
    public void Lamp_never_empties_a_layer_where_a_global_magnitude_ranking_does()
    {
        var model = PruningFixtures.Load("mlp.onnx");

        var plain = ModelPruner.Run(model, new PruneSettings { Sparsity = 0.98 });
        var lamp = ModelPruner.Run(model, new PruneSettings { Sparsity = 0.98, Allocation = SparsityAllocation.Lamp });

        Assert.All(lamp.Layers, l => Assert.True(l.ZerosAfter < l.ParametersAfter, $"{l.Node} emptied"));
        Assert.DoesNotContain(lamp.Advisories, a => a.Code == "CB4033");
        Assert.True(lamp.Layers.Min(l => l.ParametersAfter - l.ZerosAfter) > plain.Layers.Min(l => l.ParametersAfter - l.ZerosAfter));
    }

    [Theory]
    [InlineData("cnn_residual.onnx", "2:4", 1)]
    [InlineData("mlp.onnx", "1:4", 0)]
    [InlineData("cnn_concat_dw.onnx", "4:8", 2)]
    public void Nm_keeps_at_most_n_weights_in_every_run_of_m_input_channels_and_leaves_one_channel_convs_dense(string fixture, string text, int dense)
    {
        var pattern = NmPattern.Parse(text);
        var original = PruningFixtures.Load(fixture);

        var result = ModelPruner.Run(original, new PruneSettings { Method = PruneMethod.NM, Pattern = pattern });

        foreach (var layer in result.Layers)
        {
            var node = result.Model.Graph.Node.Single(n => n.Input.Count > 1 && n.Input[1] == layer.Weight);
            var tensor = PruningFixtures.Initializer(result.Model, layer.Weight);
            var w = TensorData.ToSingles(tensor, result.Model);
            var before = PruningFixtures.Weights(original, layer.Weight);
            if (node.OpType == "Conv" && tensor.Dims[1] == 1)
            {
                Assert.Equal(before, w);
                continue;
            }

            // Conv [O, I, kh, kw]: the runs go along I at each tap (stride taps); Gemm transB=1 [N, K]: along K, contiguous.
            Assert.True(node.OpType == "Conv" || node.Attribute.Single(a => a.Name == "transB").I == 1);
            var channels = (int)tensor.Dims[1];
            var taps = w.Length / (int)tensor.Dims[0] / channels;
            for (var row = 0; row < tensor.Dims[0] * taps; row++)
            {
                var (o, t) = (row / taps, row % taps);
                for (var start = 0; start < channels; start += pattern.M)
                {
                    var run = Enumerable.Range(start, Math.Min(pattern.M, channels - start)).Select(i => (o * channels * taps) + (i * taps) + t).ToList();
                    var kept = run.Where(i => w[i] != 0).ToList();
                    Assert.True(kept.Count <= pattern.N);

                    // The survivors are the largest of their run.
                    var smallestKept = kept.Count == 0 ? float.MaxValue : kept.Min(i => Math.Abs(before[i]));
                    Assert.All(run.Where(i => w[i] == 0), i => Assert.True(Math.Abs(before[i]) <= smallestKept));
                }
            }
        }

        var advisory = result.Advisories.SingleOrDefault(a => a.Code == "CB4047");
        Assert.Equal(dense, result.Layers.Count(l => l.ZerosAfter == l.ZerosBefore));
        Assert.Equal(dense > 0, advisory is not null);
        using var session = ModelSessions.Open(result.Model);
    }

    [Theory]
    [InlineData("4x4")]
    [InlineData("8x1")]
    [InlineData("1x8")]
    public void Block_zeroes_whole_blocks_near_the_requested_sparsity(string text)
    {
        var block = BlockShape.Parse(text);

        var result = ModelPruner.Run(PruningFixtures.Load("mlp.onnx"), new PruneSettings { Method = PruneMethod.Block, Block = block, Sparsity = 0.5 });

        foreach (var layer in result.Layers)
        {
            // mlp weights are [N, K] with transB=1: rows are outputs, columns the reduction.
            var tensor = PruningFixtures.Initializer(result.Model, layer.Weight);
            var w = TensorData.ToSingles(tensor, result.Model);
            int rows = (int)tensor.Dims[0], cols = (int)tensor.Dims[1];
            for (var br = 0; br < rows; br += block.Rows)
            {
                for (var bc = 0; bc < cols; bc += block.Cols)
                {
                    var cells = (from r in Enumerable.Range(br, Math.Min(block.Rows, rows - br)) from c in Enumerable.Range(bc, Math.Min(block.Cols, cols - bc)) select w[r * cols + c]).ToList();
                    Assert.True(cells.All(v => v == 0) || cells.All(v => v != 0), $"{layer.Weight}: block at {br},{bc} is partly zero");
                }
            }

            Assert.InRange(layer.Sparsity, 0.5 - (block.Rows * block.Cols / (double)w.Length), 0.5 + (block.Rows * block.Cols / (double)w.Length));
        }
    }

    [Fact]
    public void Weights_in_constant_nodes_are_promoted_and_pruned_to_the_same_model_as_initializers()
    {
        var settings = new PruneSettings { Sparsity = 0.5, Allocation = SparsityAllocation.Lamp };
        var fromConstants = ModelPruner.Run(PruningFixtures.Load("mlp_opset11_constants.onnx"), settings);
        var fromInitializers = ModelPruner.Run(PruningFixtures.Load("mlp.onnx"), settings);

        Assert.DoesNotContain(fromConstants.Model.Graph.Node, n => n.OpType == "Constant");
        Assert.Equal(3, fromConstants.Layers.Count);
        foreach (var name in new[] { "fc1.weight", "fc2.weight", "fc3.weight" })
        {
            Assert.Equal(PruningFixtures.Weights(fromInitializers.Model, name), PruningFixtures.Weights(fromConstants.Model, name));
        }

        var comparison = PruningFixtures.Compare(PruningFixtures.Load("mlp_opset11_constants.onnx"), fromConstants.Model, "mlp_opset11_constants.onnx");
        Assert.True(comparison.Labelled!.Accuracy!.CandidateTop1 > 0.9);
    }

    [Fact]
    public void Sparsity_shrinks_the_zip_size_and_output_is_deterministic()
    {
        using var temp = new TempFolder();
        var model = PruningFixtures.Load("mlp.onnx");

        var a = ModelPruner.Run(model, new PruneSettings { Sparsity = 0.8 });
        var b = ModelPruner.Run(model, new PruneSettings { Sparsity = 0.8 });
        OnnxModelWriter.Save(a.Model, temp.File("a.onnx"));
        OnnxModelWriter.Save(b.Model, temp.File("b.onnx"));

        Assert.True(a.ZipBytesAfter < a.ZipBytesBefore * 0.5, $"{a.ZipBytesBefore} -> {a.ZipBytesAfter}");
        Assert.Equal(a.ZipBytesAfter, b.ZipBytesAfter);
        Assert.Equal(File.ReadAllBytes(temp.File("a.onnx")), File.ReadAllBytes(temp.File("b.onnx")));
    }

    [Fact]
    public void Excluded_layers_are_left_alone_and_nothing_left_is_an_advisory()
    {
        var model = PruningFixtures.Load("mlp.onnx");

        var some = ModelPruner.Run(model, new PruneSettings { Sparsity = 0.5, ExcludeNodes = [model.Graph.Node[0].Name] });
        var none = ModelPruner.Run(model, new PruneSettings { Sparsity = 0.5, ExcludeOpTypes = ["Gemm"] });

        Assert.DoesNotContain(some.Layers, l => l.Weight == "fc1.weight");
        Assert.Equal(PruningFixtures.Weights(model, "fc1.weight"), PruningFixtures.Weights(some.Model, "fc1.weight"));
        Assert.Empty(none.Layers);
        Assert.Contains(none.Advisories, a => a.Code == "CB4030");
    }

    [Theory]
    [InlineData(1.0, null, null, "CB2040")]
    [InlineData(-0.1, null, null, "CB2040")]
    [InlineData(0.5, "2:4", null, "CB2043")]
    [InlineData(null, null, "4x4", "CB2043")]
    public void Bad_settings_are_named_errors(double? sparsity, string? pattern, string? block, string code)
    {
        var settings = new PruneSettings
        {
            Method = pattern is not null ? PruneMethod.NM : PruneMethod.Magnitude,
            Sparsity = sparsity,
            Pattern = pattern is null ? null : NmPattern.Parse(pattern),
            Block = block is null ? null : BlockShape.Parse(block),
        };

        var e = Assert.Throws<CompressBuildException>(() => ModelPruner.Run(PruningFixtures.Load("mlp.onnx"), settings));

        Assert.Equal(code, e.Code.Id);
    }

    [Theory]
    [InlineData("4:2")]
    [InlineData("0:4")]
    [InlineData("2-4")]
    public void Bad_patterns_are_cb2041(string text) => Assert.Equal("CB2041", Assert.Throws<CompressBuildException>(() => NmPattern.Parse(text)).Code.Id);

    [Theory]
    [InlineData("0x4")]
    [InlineData("1x1")]
    [InlineData("4")]
    public void Bad_blocks_are_cb2042(string text) => Assert.Equal("CB2042", Assert.Throws<CompressBuildException>(() => BlockShape.Parse(text)).Code.Id);

    [Fact]
    public void Excluding_an_unknown_node_is_cb2044()
    {
        var e = Assert.Throws<CompressBuildException>(() => ModelPruner.Run(PruningFixtures.Load("mlp.onnx"), new PruneSettings { ExcludeNodes = ["no_such_node"] }));

        Assert.Equal("CB2044", e.Code.Id);
        Assert.Contains("no_such_node", e.Message, StringComparison.Ordinal);
    }

    private static long CountZeros(OnnxModel model, string weight) => PruningFixtures.Weights(model, weight).LongCount(v => v == 0);
}
