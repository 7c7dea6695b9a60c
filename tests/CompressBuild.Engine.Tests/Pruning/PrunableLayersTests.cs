using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Pruning;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pruning;

/// <summary>Silero VAD v5 (public) keeps all 12 of its Conv layers inside If branches (16 kHz and 8 kHz), with the weights in Constant nodes there.</summary>
public sealed class PrunableLayersTests : IDisposable
{
    private readonly TempFolder folder = new();

    [RealModelFact(RealModels.SileroVad)]
    public void Magnitude_pruning_at_30_percent_reaches_the_conv_weights_inside_if_branches_and_keeps_97_percent_of_the_speech_decisions() =>
        PruneAndCompareDecisions(0.3, 0.97);

    [RealModelFact(RealModels.SileroVad)]
    public void Magnitude_pruning_at_50_percent_reaches_the_conv_weights_inside_if_branches_and_keeps_93_percent_of_the_speech_decisions() =>
        PruneAndCompareDecisions(0.5, 0.93);

    private void PruneAndCompareDecisions(double sparsity, double minAgreement)
    {
        var path = RealModels.Path(RealModels.SileroVad);
        var result = ModelPruner.Run(OnnxModelReader.Load(path), new PruneSettings { Sparsity = sparsity });
        var saved = folder.File($"vad-{sparsity}.onnx");
        OnnxModelWriter.Save(result.Model, saved, ModelSaveOptions.Default);

        // Read back from the written file: the zeros are in the branches' weights, not only in the report.
        var written = OnnxModelReader.Load(saved);
        var weights = Subgraphs.Graphs(written.Graph).Skip(1).SelectMany(b => b.Node.Where(n => n.OpType == "Conv").Select(n => WeightOf(written, b, n.Input[1]))).ToList();
        Assert.Equal(12, weights.Count);
        var total = weights.Sum(w => (long)w.Length);
        var zeros = weights.Sum(w => w.LongCount(v => v == 0));
        Assert.InRange(zeros / (double)total, sparsity - 0.005, sparsity + 0.005);

        var (frames, _) = VadAudio.Render(folder.Path, seconds: 20, seed: 7);
        var reference = VadAudio.Probabilities(path, frames);
        var candidate = VadAudio.Probabilities(saved, frames);
        var agreement = Enumerable.Range(0, frames.Length).Count(i => reference[i] >= VadAudio.Threshold == candidate[i] >= VadAudio.Threshold) / (double)frames.Length;
        Assert.True(agreement >= minAgreement, $"{sparsity:P0} magnitude agrees on {agreement:P2} of {frames.Length} frames");
    }

    [RealModelFact(RealModels.SileroVad)]
    public void Two_four_pruning_zeroes_two_of_every_four_input_channels_of_the_convs_inside_the_branches_and_leaves_the_others_dense()
    {
        var result = ModelPruner.Run(OnnxModelReader.Load(RealModels.Path(RealModels.SileroVad)), new PruneSettings { Method = PruneMethod.NM });

        var model = result.Model;
        var convs = Subgraphs.Graphs(model.Graph).Skip(1).SelectMany(b => b.Node.Where(n => n.OpType == "Conv").Select(n => (Body: b, Weight: n.Input[1]))).ToList();
        Assert.Equal(12, convs.Count);
        var dense = 0;
        foreach (var (body, name) in convs)
        {
            // [out, in, k]: at each of the k taps, every 4 consecutive input channels keep at most 2.
            var weight = WeightOf(model, body, name);
            var dims = body.Initializer.Single(i => i.Name == name).Dims;
            var (channels, taps) = ((int)dims[1], (int)dims[2]);
            if (channels % 4 != 0)
            {
                // The STFT basis (1 channel) and the first encoder conv (65 or 129 channels) stay dense.
                var report = result.Layers.Single(l => l.Weight == name);
                Assert.Equal(report.ZerosBefore, report.ZerosAfter);
                dense++;
                continue;
            }

            for (var row = 0; row < dims[0] * taps; row++)
            {
                var (o, t) = (row / taps, row % taps);
                for (var start = 0; start < channels; start += 4)
                {
                    Assert.True(Enumerable.Range(start, 4).Count(i => weight[(o * channels * taps) + (i * taps) + t] == 0) >= 2, name);
                }
            }
        }

        Assert.Equal(4, dense);
        var advisory = Assert.Single(result.Advisories, a => a.Code == DiagnosticCodes.PruneNmLayersDense.Id);
        Assert.Contains("one input channel (no channel reduction)", advisory.Message, StringComparison.Ordinal);
        Assert.Contains("129 input channels per group, not a multiple of 4", advisory.Message, StringComparison.Ordinal);
    }

    [RealModelFact(RealModels.SileroVad)]
    public void Channel_pruning_says_it_leaves_the_layers_inside_if_branches()
    {
        var result = ModelPruner.Run(OnnxModelReader.Load(RealModels.Path(RealModels.SileroVad)), new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.25 });

        var advisory = Assert.Single(result.Advisories, a => a.Code == DiagnosticCodes.PruneSubgraphLayers.Id);
        Assert.StartsWith("12 Conv/Gemm/MatMul layer(s) inside If/Loop/Scan bodies keep all their channels", advisory.Message, StringComparison.Ordinal);
    }

    [RealModelFact(RealModels.SileroVad)]
    public void With_calibration_data_the_layers_inside_branches_keep_their_magnitude_masks_and_the_report_says_why()
    {
        var path = RealModels.Path(RealModels.SileroVad);
        var (frames, _) = VadAudio.Render(folder.Path, seconds: 2, seed: 11);
        var data = VadAudio.WriteCalibration(path, frames, folder.File("calibration"), every: 4);
        var plain = ModelPruner.Run(OnnxModelReader.Load(path), new PruneSettings { Sparsity = 0.3 });

        var result = ModelPruner.Run(OnnxModelReader.Load(path), new PruneSettings { Sparsity = 0.3, CalibrationData = data });

        var advisory = Assert.Single(result.Advisories, a => a.Code == DiagnosticCodes.PruneSubgraphLayers.Id);
        Assert.StartsWith("12 layer(s) inside If/Loop/Scan bodies keep their plain magnitude masks", advisory.Message, StringComparison.Ordinal);
        Assert.Equal(plain.Layers.Select(l => l.ZerosAfter), result.Layers.Select(l => l.ZerosAfter));
        Assert.InRange(result.MeasuredSparsity, 0.3 - 0.001, 0.3 + 0.001);
    }

    [Fact]
    public void Layer_scope_prunes_branch_and_loop_weights_and_an_enclosing_graph_weight_a_loop_body_reads_once()
    {
        var result = ModelPruner.Run(Quantization.Calibration.BranchModels.Create(), new PruneSettings { Sparsity = 0.5, Scope = SparsityScope.Layer });

        Assert.Equal(["wa", "wb", "wl", "wo"], result.Layers.Select(l => l.Weight).Order(StringComparer.Ordinal));
        var wo = result.Model.Graph.Initializer.Single(i => i.Name == "wo");
        Assert.Equal(128, TensorData.ToSingles(wo, result.Model).Count(v => v == 0));
        Assert.All(result.Layers, l => Assert.Equal(128, l.ZerosAfter));
    }

    /// <summary>The float values of the weight a body's node reads from the body's initializers (Silero keeps each branch's weights there).</summary>
    private static float[] WeightOf(OnnxModel model, GraphProto body, string name) => TensorData.ToSingles(body.Initializer.Single(i => i.Name == name), model);

    public void Dispose() => folder.Dispose();
}
