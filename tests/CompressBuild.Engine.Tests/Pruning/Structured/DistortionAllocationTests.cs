using System.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Pruning.Structured;

/// <summary>Channel groups' ratios from measured output distortion, on the PP-OCRv4 detector and rendered text pages (tests/models/ocr_inputs.py).</summary>
public class DistortionAllocationTests(ITestOutputHelper output)
{
    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Distortion_allocation_beats_uniform_on_the_detector_at_25_percent_with_reconstruction()
    {
        using var temp = new TempFolder();
        var calibration = OcrInputs.Render(temp.Path, "det", 32, seed: 7, height: 320, width: 320);
        var test = OcrInputs.Render(temp.Path, "det", 4, seed: 11, height: 320, width: 320);

        var original = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrDetector));
        var settings = new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.25, Importance = ChannelImportance.Activation, CalibrationData = calibration };

        var clock = Stopwatch.StartNew();
        var uniform = ModelPruner.Run(original, settings);
        var uniformTime = clock.Elapsed;
        clock.Restart();
        var measured = ModelPruner.Run(original, settings with { Allocation = SparsityAllocation.Distortion });
        var measuredTime = clock.Elapsed;

        var before = Cosine(original, uniform.Model, test);
        var after = Cosine(original, measured.Model, test);
        output.WriteLine($"ppocr-det channel 25%: uniform {uniform.ParametersAfter} parameters, cosine {before:F4} ({uniformTime.TotalSeconds:F1} s); "
            + $"distortion {measured.ParametersAfter} parameters, cosine {after:F4} ({measuredTime.TotalSeconds:F1} s)");
        foreach (var group in measured.ChannelGroups.Where(g => g.ChannelsAfter != g.ChannelsBefore || g.Protected is null))
        {
            output.WriteLine($"  {group.Members[0]}: {group.ChannelsBefore} -> {group.ChannelsAfter}");
        }

        Assert.True(after > before, $"{before:F4} -> {after:F4}");
    }

    [Theory]
    [InlineData("cnn_residual.onnx", 0.25)]
    [InlineData("cnn_concat_dw.onnx", 0.25)]
    [InlineData("mlp.onnx", 0.5)]
    public void Distortion_allocation_on_the_digits_models_keeps_top1_within_half_a_point_of_uniform(string fixture, double sparsity)
    {
        var original = PruningFixtures.Load(fixture);
        var settings = new PruneSettings { Method = PruneMethod.Channel, Sparsity = sparsity, CalibrationData = PruningFixtures.CalibrationData(fixture) };

        var uniform = ModelPruner.Run(original, settings with { Allocation = SparsityAllocation.Uniform });
        var measured = ModelPruner.Run(original, settings with { Allocation = SparsityAllocation.Distortion });

        var before = PruningFixtures.Compare(original, uniform.Model, fixture).Labelled!.Accuracy!;
        var after = PruningFixtures.Compare(original, measured.Model, fixture).Labelled!.Accuracy!;
        output.WriteLine($"{fixture} channel {sparsity:P0}: reference {before.ReferenceTop1:P2}; uniform {before.CandidateTop1:P2} ({uniform.ParametersAfter} parameters), "
            + $"distortion {after.CandidateTop1:P2} ({measured.ParametersAfter} parameters); groups {string.Join(", ", measured.ChannelGroups.Select(g => $"{g.ChannelsBefore}->{g.ChannelsAfter}"))}");
        Assert.True(after.CandidateTop1 >= before.CandidateTop1 - 0.005, $"{before.CandidateTop1:P2} -> {after.CandidateTop1:P2}");
    }

    private static double Cosine(OnnxModel original, OnnxModel pruned, string data)
    {
        using var reference = ModelSessions.Open(original);
        using var candidate = ModelSessions.Open(pruned);
        return ModelComparison.Run(reference, candidate, DatasetLoader.Open(data, reference.Inputs), null).Outputs[0].Cosine;
    }
}
