using CompressBuild.Engine.Pruning;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Pruning.Structured;

public class ChannelReconstructionTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("cnn_residual.onnx", 0.25, 0.95)]
    [InlineData("cnn_concat_dw.onnx", 0.25, 0.9)]
    [InlineData("mlp.onnx", 0.5, 0.9)]
    public void Least_squares_reconstruction_of_the_next_layer_keeps_the_digits_models_accurate(string fixture, double sparsity, double floor)
    {
        var original = PruningFixtures.Load(fixture);
        var settings = new PruneSettings { Method = PruneMethod.Channel, Sparsity = sparsity, CalibrationData = PruningFixtures.CalibrationData(fixture), Allocation = SparsityAllocation.Uniform };

        var plain = ModelPruner.Run(original, settings with { Reconstruct = false });
        var rebuilt = ModelPruner.Run(original, settings);

        var before = PruningFixtures.Compare(original, plain.Model, fixture).Labelled!.Accuracy!;
        var after = PruningFixtures.Compare(original, rebuilt.Model, fixture).Labelled!.Accuracy!;
        var timing = rebuilt.Reconstruction;
        var inference = PlainInference(original, settings.CalibrationData!);
        output.WriteLine($"{fixture} channel {sparsity:P0}: reference {before.ReferenceTop1:P2}, mean-compensated only {before.CandidateTop1:P2}, reconstructed {after.CandidateTop1:P2}; "
            + $"{timing.Layers} layers in {timing.Passes} pass(es) over {timing.Samples} samples, capture {timing.Capture.TotalMilliseconds:F0} ms, solve {timing.Solve.TotalMilliseconds:F0} ms; "
            + $"plain inference over the same samples {inference.TotalMilliseconds:F0} ms (capture {timing.Capture / inference:F1}x)");
        Assert.True(timing.Layers > 0);
        Assert.Equal(plain.ParametersAfter, rebuilt.ParametersAfter);
        Assert.True(after.CandidateTop1 >= floor, $"top-1 {after.CandidateTop1:P2}");
        Assert.True(after.CandidateTop1 > before.CandidateTop1 || after.CandidateTop1 >= before.ReferenceTop1 - 0.005, $"{before.CandidateTop1:P2} -> {after.CandidateTop1:P2}");
    }

    /// <summary>One plain run of the original model over the calibration samples, the yardstick for the capture time.</summary>
    internal static TimeSpan PlainInference(CompressBuild.Engine.Onnx.OnnxModel model, string data)
    {
        using var session = CompressBuild.Engine.Runtime.ModelSessions.Open(model);
        var samples = CompressBuild.Engine.Evaluation.DatasetLoader.Open(data, session.Inputs).Take(new PruneSettings().CalibrationSamples);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < samples.Count; i++)
        {
            session.Run(samples.Sample(i));
        }

        return clock.Elapsed;
    }
}
