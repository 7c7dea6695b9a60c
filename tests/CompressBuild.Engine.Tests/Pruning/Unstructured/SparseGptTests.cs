using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.Pruning.Unstructured;
using CompressBuild.Engine.Reconstruction;
using CompressBuild.Engine.Runtime;
using CompressBuild.Engine.Tests.Reconstruction;
using Google.Protobuf;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Pruning.Unstructured;

public class SparseGptTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("transformer.onnx", "magnitude", 0.01, 0.01)]
    [InlineData("transformer.onnx", "2:4", 0.03, 0.05)]
    [InlineData("cnn_residual.onnx", "magnitude", 1.0, 0.1)]
    [InlineData("cnn_residual.onnx", "2:4", 0.03, 0.1)]
    [InlineData("mlp.onnx", "2:4", 0.01, 0.01)]
    public void SparseGPT_masks_and_updates_beat_magnitude_masks_at_half_sparsity(string fixture, string how, double maxDrop, double minGain)
    {
        var original = PruningFixtures.Load(fixture);
        var settings = how == "magnitude"
            ? new PruneSettings { Method = PruneMethod.Magnitude, Sparsity = 0.5, Scope = SparsityScope.Layer }
            : new PruneSettings { Method = PruneMethod.NM, Pattern = NmPattern.Parse(how) };

        var plain = ModelPruner.Run(original, settings);
        var rebuilt = ModelPruner.Run(original, settings with { CalibrationData = PruningFixtures.CalibrationData(fixture) });

        var before = PruningFixtures.Compare(original, plain.Model, fixture).Labelled!.Accuracy!;
        var after = PruningFixtures.Compare(original, rebuilt.Model, fixture).Labelled!.Accuracy!;
        var timing = rebuilt.Reconstruction;
        output.WriteLine($"{fixture} {how} 50%: reference {before.ReferenceTop1:P2}, magnitude masks {before.CandidateTop1:P2}, SparseGPT {after.CandidateTop1:P2} "
            + $"(sparsity {plain.MeasuredSparsity:P1} / {rebuilt.MeasuredSparsity:P1}); {timing.Layers} layers, {timing.Passes} passes, capture {timing.Capture.TotalMilliseconds:F0} ms, solves " +
                $"{timing.Solve.TotalMilliseconds:F0} ms");
        Assert.True(timing.Layers > 0);
        Assert.InRange(rebuilt.MeasuredSparsity, plain.MeasuredSparsity - 0.01, plain.MeasuredSparsity + 0.01);
        Assert.True(after.CandidateTop1 >= before.ReferenceTop1 - maxDrop, $"top-1 {before.ReferenceTop1:P2} -> {after.CandidateTop1:P2}");
        Assert.True(after.CandidateTop1 >= before.CandidateTop1 + minGain || after.CandidateTop1 >= before.ReferenceTop1,
            $"magnitude masks {before.CandidateTop1:P2}, SparseGPT {after.CandidateTop1:P2}");
    }
    /// <summary>
    /// SparseGPT's capture takes a fixed sample of a layer's input rows where a feature map has more positions than its quota
    /// (<see cref="SparseGptPruner.RowsPerColumn"/> per Gram column over the calibration set): on cnn_residual (128 samples of 8x8) the
    /// first Conv (9 columns) and the 1x1 Conv (16) take 16 and 32 of 64 positions a sample (39,040 of 49,280 rows), the wider layers
    /// every one; the same rows every run, so two runs write the same bytes.
    /// </summary>
    [Fact]
    public void SparseGPT_samples_the_rows_of_large_feature_maps_and_writes_the_same_model_every_run()
    {
        const string Fixture = "cnn_residual.onnx";
        var original = PruningFixtures.Load(Fixture);
        var settings = new PruneSettings
        {
            Method = PruneMethod.Magnitude, Sparsity = 0.5, Scope = SparsityScope.Layer, CalibrationData = PruningFixtures.CalibrationData(Fixture),
        };

        var first = ModelPruner.Run(original, settings);
        var second = ModelPruner.Run(original, settings);

        var everyRow = EveryRow(original, PruningFixtures.CalibrationData(Fixture), first.Reconstruction.Samples);
        output.WriteLine($"{Fixture}: SparseGPT's capture took {first.Reconstruction.Rows} rows over {first.Reconstruction.Layers} layers; every row would be {everyRow}");
        Assert.True(first.Reconstruction.Rows > 0 && first.Reconstruction.Rows < everyRow, $"{first.Reconstruction.Rows} of {everyRow} rows");
        Assert.Equal(first.Reconstruction.Rows, second.Reconstruction.Rows);
        Assert.True(first.Model.Proto.ToByteArray().AsSpan().SequenceEqual(second.Model.Proto.ToByteArray()), "two runs wrote different models");
    }

    /// <summary>The rows a capture of every MatMul / Gemm / Conv input takes when it keeps every position of every sample.</summary>
    private static long EveryRow(OnnxModel original, string calibration, int samples)
    {
        var model = new OnnxModel(original.Proto.Clone(), original.BaseDirectory, original.SourcePath);
        ConstantPromotion.Promote(model.Graph);
        var targets = FloatWeightLayers.Of(model);
        using var session = ModelSessions.Open(model);
        var data = DatasetLoader.Open(calibration, session.Inputs).Take(samples);
        return LayerwiseReconstruction.Run(model, targets, data, (_, _) => { }, passes: 1, rowsPerColumn: 0).Rows;
    }

    [Fact]
    public void SparseGPT_two_four_runs_along_the_input_channels_at_each_tap_and_leaves_the_one_channel_conv_dense()
    {
        const string Fixture = "cnn_residual.onnx";
        var result = ModelPruner.Run(PruningFixtures.Load(Fixture), new PruneSettings { Method = PruneMethod.NM, CalibrationData = PruningFixtures.CalibrationData(Fixture) });

        foreach (var layer in result.Layers.Where(l => l.OpType == "Conv"))
        {
            var (o, channels, taps) = ((int)layer.ShapeAfter[0], (int)layer.ShapeAfter[1], (int)(layer.ShapeAfter[2] * layer.ShapeAfter[3]));
            if (channels == 1)
            {
                Assert.Equal(layer.ZerosBefore, layer.ZerosAfter);
                continue;
            }

            var w = PruningFixtures.Weights(result.Model, layer.Weight);
            for (var row = 0; row < o * taps; row++)
            {
                for (var start = 0; start < channels; start += 4)
                {
                    Assert.Equal(2, Enumerable.Range(start, 4).Count(i => w[((row / taps) * channels * taps) + (i * taps) + (row % taps)] != 0));
                }
            }
        }

        Assert.Contains("'", Assert.Single(result.Advisories, a => a.Code == "CB4047").Message, StringComparison.Ordinal);
    }

    /// <summary>Global scope with calibration data: the layers' counts follow SparseGPT's normalized saliency within 20%-80%, and the total stays exact.</summary>
    [Fact]
    public void Global_50_percent_with_SparseGPT_keeps_the_total_exact_and_every_layer_between_20_and_80_percent()
    {
        const string Fixture = "transformer.onnx";
        var original = PruningFixtures.Load(Fixture);
        var settings = new PruneSettings { Method = PruneMethod.Magnitude, Sparsity = 0.5, CalibrationData = PruningFixtures.CalibrationData(Fixture) };

        var global = ModelPruner.Run(original, settings);
        var perLayer = ModelPruner.Run(original, settings with { Scope = SparsityScope.Layer });

        var globalTop1 = PruningFixtures.Compare(original, global.Model, Fixture).Labelled!.Accuracy!;
        var layerTop1 = PruningFixtures.Compare(original, perLayer.Model, Fixture).Labelled!.Accuracy!;
        output.WriteLine($"{Fixture} 50% with SparseGPT: reference {globalTop1.ReferenceTop1:P2}, global {globalTop1.CandidateTop1:P2}, per layer {layerTop1.CandidateTop1:P2}; "
            + string.Join(", ", global.Layers.Select(l => $"{l.Node} {l.Sparsity:P0}")));
        var zeros = global.Layers.Sum(l => l.ZerosAfter);
        Assert.Equal(Math.Round(0.5 * global.Layers.Sum(l => l.ParametersBefore), MidpointRounding.ToEven), zeros);
        Assert.All(global.Layers, l => Assert.InRange(l.Sparsity, 0.2 - (1.0 / l.ParametersBefore), 0.8 + (1.0 / l.ParametersBefore)));
        Assert.True(global.Layers.Select(l => l.Sparsity).Distinct().Count() > 1, "every layer at the same sparsity: the allocation did nothing");
        Assert.True(globalTop1.CandidateTop1 >= globalTop1.ReferenceTop1 - 0.01, $"top-1 {globalTop1.ReferenceTop1:P2} -> {globalTop1.CandidateTop1:P2}");
    }
}
