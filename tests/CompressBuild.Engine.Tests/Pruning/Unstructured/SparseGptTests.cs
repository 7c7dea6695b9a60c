using CompressBuild.Engine.Pruning;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Pruning.Unstructured;

public class SparseGptTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("transformer.onnx", "magnitude", 0.01, 0.01)]
    [InlineData("transformer.onnx", "2:4", 0.03, 0.05)]
    [InlineData("cnn_residual.onnx", "magnitude", 1.0, 0.1)]
    [InlineData("cnn_residual.onnx", "2:4", 1.0, 0.1)]
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
}
