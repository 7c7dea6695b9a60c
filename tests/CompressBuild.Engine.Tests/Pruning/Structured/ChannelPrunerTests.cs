using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.Runtime;
using CompressBuild.Engine.Tests.Evaluation;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Pruning.Structured;

public class ChannelPrunerTests(ITestOutputHelper output)
{
    public static TheoryData<string, double> Fixtures() => new()
    {
        { "mlp.onnx", 0.5 },
        { "cnn_residual.onnx", 0.25 },
        { "cnn_residual.onnx", 0.5 },
        { "cnn_concat_dw.onnx", 0.5 },
        { "mlp_opset11_constants.onnx", 0.5 },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Channel_pruned_models_are_smaller_run_with_the_original_shapes_and_stay_accurate(string fixture, double sparsity)
    {
        var original = PruningFixtures.Load(fixture);

        var result = ModelPruner.Run(original, new PruneSettings { Method = PruneMethod.Channel, Sparsity = sparsity });

        Assert.True(result.ParametersAfter < result.ParametersBefore * (1 - (sparsity / 2)), $"{result.ParametersBefore} -> {result.ParametersAfter} parameters");
        Assert.Contains(result.ChannelGroups, g => g.ChannelsAfter < g.ChannelsBefore);
        Assert.All(result.ChannelGroups, g => Assert.InRange(g.ChannelsAfter, 1, g.ChannelsBefore));
        using (var session = ModelSessions.Open(result.Model))
        {
            using var reference = ModelSessions.Open(original);
            Assert.Equal(reference.Outputs.Select(o => o.Shape), session.Outputs.Select(o => o.Shape));
            Assert.Equal(reference.Inputs.Select(o => o.Shape), session.Inputs.Select(o => o.Shape));
        }

        var comparison = PruningFixtures.Compare(original, result.Model, fixture);
        var accuracy = comparison.Labelled!.Accuracy!;
        output.WriteLine($"{fixture} at {sparsity}: parameters {result.ParametersBefore} -> {result.ParametersAfter}, top-1 {accuracy.ReferenceTop1:P2} -> {accuracy.CandidateTop1:P2}, agreement " +
            $"{comparison.Labelled.Top1Agreement:P2}");
        Assert.Equal(497, comparison.Samples);

        // Post-training, no fine-tuning, plain l2 importance: the pruned model must still classify above chance
        // (10%). The tiny CNNs (16-32 channels) are fragile without fine-tuning; the MLP keeps most of its accuracy.
        Assert.True(accuracy.CandidateTop1 > (fixture.StartsWith("mlp", StringComparison.Ordinal) ? 0.5 : 0.15), $"top-1 {accuracy.CandidateTop1:P2}");
    }

    [Fact]
    public void Residual_add_prunes_every_branch_at_the_same_indices()
    {
        var original = PruningFixtures.Load("cnn_residual.onnx");

        var result = ModelPruner.Run(original, new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.5 });

        // block1: the stem conv and block1.conv2 feed one Add, so they form one group of 16 channels.
        var group = result.ChannelGroups.Single(g => g.Members.Contains("/stem/stem.0/Conv_output_0") && g.Members.Contains("/block1/conv2/Conv_output_0"));
        Assert.Equal(8, group.ChannelsAfter);
        var kept = Enumerable.Range(0, 16).Except(group.Removed).ToArray();
        AssertRowsKept(original, result.Model, "onnx::Conv_62", kept);
        AssertRowsKept(original, result.Model, "onnx::Conv_68", kept);

        // block2: conv2 and the 1x1 projection skip share the second Add.
        var block2 = result.ChannelGroups.Single(g => g.Members.Contains("/block2/conv2/Conv_output_0"));
        Assert.Contains("/block2/proj/proj.0/Conv_output_0", block2.Members);
        var kept2 = Enumerable.Range(0, 32).Except(block2.Removed).ToArray();
        AssertRowsKept(original, result.Model, "onnx::Conv_77", kept2);
        AssertRowsKept(original, result.Model, "onnx::Conv_71", kept2);

        // The classifier reads the pooled, flattened channels: its weight loses the same columns.
        var fc = PruningFixtures.Initializer(result.Model, "fc.weight");
        Assert.Equal(new long[] { 10, kept2.Length }, fc.Dims);
        var before = PruningFixtures.Weights(original, "fc.weight");
        var after = PruningFixtures.Weights(result.Model, "fc.weight");
        for (var row = 0; row < 10; row++)
        {
            for (var j = 0; j < kept2.Length; j++)
            {
                Assert.Equal(before[(row * 32) + kept2[j]], after[(row * kept2.Length) + j]);
            }
        }
    }

    [Fact]
    public void Concat_maps_offsets_and_depthwise_conv_follows_its_input_channels()
    {
        var original = PruningFixtures.Load("cnn_concat_dw.onnx");

        var result = ModelPruner.Run(original, new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.5 });

        // The stem's channels flow through the depthwise conv: one group, and the depthwise filter and group follow.
        var stem = result.ChannelGroups.Single(g => g.Members.SequenceEqual(["/stem/stem.0/Conv_output_0"]));
        var keptStem = Enumerable.Range(0, 16).Except(stem.Removed).ToArray();
        AssertRowsKept(original, result.Model, "onnx::Conv_48", keptStem);
        var dw = PruningFixtures.Node(result.Model, "/dw/dw.0/Conv_output_0");
        Assert.Equal(keptStem.Length, dw.Attribute.Single(a => a.Name == "group").I);

        // Concat [branch1x1 (16), branch3x3 (16)]: fc columns 0..15 follow branch1x1, 16..31 branch3x3.
        var b1 = result.ChannelGroups.Single(g => g.Members.SequenceEqual(["/branch1x1/branch1x1.0/Conv_output_0"]));
        var b3 = result.ChannelGroups.Single(g => g.Members.SequenceEqual(["/branch3x3/branch3x3.0/Conv_output_0"]));
        var keptColumns = Enumerable.Range(0, 16).Except(b1.Removed).Concat(Enumerable.Range(0, 16).Except(b3.Removed).Select(c => c + 16)).ToArray();
        var before = PruningFixtures.Weights(original, "fc.weight");
        var after = PruningFixtures.Weights(result.Model, "fc.weight");
        Assert.Equal(10 * keptColumns.Length, after.Length);
        for (var row = 0; row < 10; row++)
        {
            for (var j = 0; j < keptColumns.Length; j++)
            {
                Assert.Equal(before[(row * 32) + keptColumns[j]], after[(row * keptColumns.Length) + j]);
            }
        }
    }

    [Fact]
    public void Channels_reaching_a_model_output_are_protected()
    {
        var original = PruningFixtures.Load("mlp.onnx");

        var result = ModelPruner.Run(original, new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.5 });

        var logits = result.ChannelGroups.Single(g => g.Members.Contains("logits"));
        Assert.Equal(10, logits.ChannelsAfter);
        Assert.Contains("model output", logits.Protected, StringComparison.Ordinal);
        Assert.Contains(result.Advisories, a => a.Code == "CB4032");

        // fc1's hidden units are rows of fc1.weight (transB=1) and columns of fc2.weight.
        var fc1 = PruningFixtures.Initializer(result.Model, "fc1.weight");
        var fc2 = PruningFixtures.Initializer(result.Model, "fc2.weight");
        Assert.Equal(new long[] { 128, 64 }, fc1.Dims);
        Assert.Equal(new long[] { 64, 128 }, fc2.Dims);
    }

    [Theory]
    [InlineData(ChannelImportance.L1)]
    [InlineData(ChannelImportance.BnScale)]
    [InlineData(ChannelImportance.Activation)]
    public void Every_importance_prunes_and_round_to_keeps_multiples(ChannelImportance importance)
    {
        var original = PruningFixtures.Load("cnn_residual.onnx");

        var result = ModelPruner.Run(original, new PruneSettings
        {
            Method = PruneMethod.Channel,
            Sparsity = 0.4,
            RoundTo = 8,
            Importance = importance,
            CalibrationData = PruningFixtures.CalibrationData("cnn_residual.onnx"),
            CalibrationSamples = 32,
        });

        Assert.All(result.ChannelGroups.Where(g => g.Protected is null), g => Assert.Equal(0, g.ChannelsAfter % 8));
        Assert.Contains(result.ChannelGroups, g => g.ChannelsAfter < g.ChannelsBefore);
        Assert.True(PruningFixtures.Compare(original, result.Model, "cnn_residual.onnx").Labelled!.Accuracy!.CandidateTop1 > 0.3);
        if (importance == ChannelImportance.BnScale)
        {
            // The exported CNN has BatchNorm folded into its Convs: the fallback is announced.
            Assert.Contains(result.Advisories, a => a.Code == "CB4034");
        }
    }

    [Fact]
    public void Activation_importance_depends_on_the_calibration_data()
    {
        // Two real calibration sets for the same MLP: every digit, and only the digits 0 to 4 (the same images,
        // filtered by their labels). Hidden units that respond to 5-9 look unimportant on the second set only.
        using var temp = new TempFolder();
        var original = PruningFixtures.Load("mlp.onnx");
        var everyDigit = PruningFixtures.CalibrationData("mlp.onnx");
        var lowDigits = WriteCalibrationSubset(everyDigit, temp.File("digits-0-4.npy"), label => label <= 4);
        PruneSettings Settings(string data) => new() { Method = PruneMethod.Channel, Sparsity = 0.5, Importance = ChannelImportance.Activation, CalibrationData = data };

        var onEveryDigit = ModelPruner.Run(original, Settings(everyDigit));
        var again = ModelPruner.Run(original, Settings(everyDigit));
        var onLowDigits = ModelPruner.Run(original, Settings(lowDigits));

        // The same data picks the same channels, so a difference below comes from the data alone.
        Assert.Equal(onEveryDigit.ChannelGroups.Select(g => g.Removed), again.ChannelGroups.Select(g => g.Removed));
        Assert.NotEqual(onEveryDigit.ChannelGroups[0].Removed, onLowDigits.ChannelGroups[0].Removed);
    }

    /// <summary>The calibration samples whose label passes <paramref name="keep"/>, written as a new float32 .npy file.</summary>
    private static string WriteCalibrationSubset(string data, string destination, Func<long, bool> keep)
    {
        var labels = Labels.Load(Path.Combine(RepositoryPaths.Digits, "calib_labels.npy"));
        var bytes = File.ReadAllBytes(data);
        Assert.Equal(1, bytes[6]); // .npy version 1: a 2-byte header length at offset 8
        var start = 10 + BitConverter.ToUInt16(bytes, 8);
        var rowBytes = (bytes.Length - start) / labels.Length;
        var kept = Enumerable.Range(0, labels.Length).Where(i => keep(labels[i])).ToList();
        var rows = kept.SelectMany(i => bytes.Skip(start + (i * rowBytes)).Take(rowBytes)).ToArray();
        File.WriteAllBytes(destination, NpyBytes.Create("<f4", $"({kept.Count}, {rowBytes / sizeof(float)})", rows));
        return destination;
    }

    [Theory]
    [InlineData("cnn_concat_dw.onnx")]
    [InlineData("cnn_residual.onnx")]
    [InlineData("mlp.onnx")]
    public void Folding_removed_channels_means_into_the_next_bias_brings_outputs_closer_to_the_original(string fixture)
    {
        var original = PruningFixtures.Load(fixture);
        var plain = ModelPruner.Run(original, new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.25 });
        var folded = ModelPruner.Run(original, new PruneSettings
        {
            Method = PruneMethod.Channel,
            Sparsity = 0.25,
            CalibrationData = PruningFixtures.CalibrationData(fixture),
            Reconstruct = false,
            Allocation = SparsityAllocation.Uniform,
        });

        // Same channels removed (l2 importance ignores the data); only the biases differ.
        Assert.Equal(plain.ChannelGroups.Select(g => g.Removed), folded.ChannelGroups.Select(g => g.Removed));
        var before = PruningFixtures.Compare(original, plain.Model, fixture).Outputs[0];
        var after = PruningFixtures.Compare(original, folded.Model, fixture).Outputs[0];

        Assert.True(after.Mse < before.Mse, $"MSE {before.Mse} -> {after.Mse}");
        Assert.True(after.Cosine > before.Cosine, $"cosine {before.Cosine} -> {after.Cosine}");
    }

    [Fact]
    public void A_group_is_never_emptied_and_output_is_deterministic()
    {
        var original = PruningFixtures.Load("cnn_concat_dw.onnx");
        using var temp = new TempFolder();

        var a = ModelPruner.Run(original, new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.99 });
        var b = ModelPruner.Run(original, new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.99 });
        OnnxModelWriter.Save(a.Model, temp.File("a.onnx"));
        OnnxModelWriter.Save(b.Model, temp.File("b.onnx"));

        Assert.All(a.ChannelGroups, g => Assert.True(g.ChannelsAfter >= 1));
        Assert.Equal(File.ReadAllBytes(temp.File("a.onnx")), File.ReadAllBytes(temp.File("b.onnx")));
        using var session = ModelSessions.Open(a.Model);
    }

    [Fact]
    public void Excluded_producers_keep_their_channels()
    {
        var original = PruningFixtures.Load("mlp.onnx");

        var result = ModelPruner.Run(original, new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.5, ExcludeNodes = [original.Graph.Node[0].Name] });

        Assert.Equal(new long[] { 256, 64 }, PruningFixtures.Initializer(result.Model, "fc1.weight").Dims);
        Assert.Equal(new long[] { 64, 256 }, PruningFixtures.Initializer(result.Model, "fc2.weight").Dims);
    }

    [Theory]
    [InlineData("mlp.onnx")]
    [InlineData("cnn_residual.onnx")]
    [InlineData("cnn_concat_dw.onnx")]
    public void Removing_channels_computes_exactly_what_silencing_them_in_the_original_does(string fixture)
    {
        // Independent oracle: zero the removed channels' producer rows and biases in the original model (each
        // producer is followed by ReLU or feeds an Add with a zeroed partner, so the channel carries 0 everywhere).
        // Physically removing them must then give the same outputs.
        var original = PruningFixtures.Load(fixture);
        var result = ModelPruner.Run(original, new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.5 });
        var silenced = new OnnxModel(original.Proto.Clone(), original.BaseDirectory, original.SourcePath);
        foreach (var group in result.ChannelGroups.Where(g => g.Removed.Count > 0))
        {
            // The depthwise conv after the stem adds its own bias to the stem's channels: silence that too.
            var followers = group.Members.Contains("/stem/stem.0/Conv_output_0") && fixture == "cnn_concat_dw.onnx" ? ["/dw/dw.0/Conv_output_0"] : Array.Empty<string>();
            foreach (var member in group.Members.Concat(followers))
            {
                var node = PruningFixtures.Node(silenced, member);
                foreach (var input in new[] { 1, 2 })
                {
                    var tensor = PruningFixtures.Initializer(silenced, node.Input[input]);
                    var values = TensorData.ToSingles(tensor, silenced);
                    var rowLength = values.Length / (int)tensor.Dims[0];
                    foreach (var channel in group.Removed)
                    {
                        Array.Clear(values, channel * rowLength, rowLength);
                    }

                    var index = silenced.Graph.Initializer.IndexOf(tensor);
                    silenced.Graph.Initializer[index] = TensorData.FromArray(tensor.Name, tensor.Dims.ToArray(), values.AsSpan());
                }
            }
        }

        var comparison = PruningFixtures.Compare(silenced, result.Model, fixture);

        Assert.True(comparison.Outputs[0].MaxAbsError < 1e-4, $"max abs error {comparison.Outputs[0].MaxAbsError}");
        Assert.Equal(1.0, comparison.Outputs[0].Top1Agreement);
    }

    private static void AssertRowsKept(OnnxModel original, OnnxModel pruned, string weight, int[] keptRows)
    {
        var before = PruningFixtures.Weights(original, weight);
        var after = PruningFixtures.Weights(pruned, weight);
        var beforeRows = PruningFixtures.Initializer(original, weight).Dims[0];
        var afterRows = PruningFixtures.Initializer(pruned, weight).Dims[0];
        Assert.Equal(keptRows.Length, afterRows);
        var rowLength = before.Length / (int)beforeRows;
        var afterRowLength = after.Length / (int)afterRows;
        for (var j = 0; j < keptRows.Length; j++)
        {
            // Input channels may be pruned too; compare the row's leading elements that depend only on the row index when widths match.
            if (afterRowLength == rowLength)
            {
                Assert.Equal(before.AsSpan(keptRows[j] * rowLength, rowLength).ToArray(), after.AsSpan(j * rowLength, rowLength).ToArray());
            }
        }
    }
}
