using System.Diagnostics;
using Google.Protobuf;
using CompressBuild.Engine.Diagnostics;
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
    public void Distortion_allocation_with_reconstruction_keeps_the_detector_at_25_percent_above_cosine_0_95()
    {
        using var temp = new TempFolder();
        var calibration = OcrInputs.Render(temp.Path, "det", 32, seed: 7, height: 320, width: 320);
        var test = OcrInputs.Render(temp.Path, "det", 4, seed: 11, height: 320, width: 320);

        var original = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrDetector));
        var settings = new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.25, Importance = ChannelImportance.Activation, CalibrationData = calibration };

        var clock = Stopwatch.StartNew();
        var measured = ModelPruner.Run(original, settings);
        var elapsed = clock.Elapsed;

        var cosine = FirstOutput.Compare(original, measured.Model, test).Cosine;
        output.WriteLine($"ppocr-det channel 25%, distortion allocation (the default with calibration): {measured.ParametersBefore} -> {measured.ParametersAfter} parameters, "
            + $"cosine {cosine:F4}, pruned in {elapsed.TotalSeconds:F1} s; groups " +
                $"{string.Join(", ", measured.ChannelGroups.Where(g => g.Protected is null).Select(g => $"{g.ChannelsBefore}->{g.ChannelsAfter}"))}");

        // Uniform allocation on the same pages: 0.9327 (DetectorReconstructionTests), 671,690 parameters.
        Assert.True(cosine >= 0.95, $"cosine {cosine:F4}");
        Assert.True(measured.ParametersAfter < measured.ParametersBefore * 0.6, $"{measured.ParametersAfter} parameters");
        Assert.Contains(measured.ChannelGroups, g => g.Protected is null && g.ChannelsAfter == g.ChannelsBefore);
        Assert.Contains(measured.ChannelGroups, g => g.Protected is null && g.ChannelsAfter <= g.ChannelsBefore / 2);
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

    [Fact]
    public void Distortion_allocation_gives_byte_identical_models_on_repeated_runs()
    {
        var original = PruningFixtures.Load("cnn_concat_dw.onnx");
        var settings = new PruneSettings
        {
            Method = PruneMethod.Channel,
            Sparsity = 0.25,
            CalibrationData = PruningFixtures.CalibrationData("cnn_concat_dw.onnx"),
            Allocation = SparsityAllocation.Distortion,
        };

        var a = ModelPruner.Run(original, settings);
        var b = ModelPruner.Run(original, settings);

        Assert.Contains(a.ChannelGroups, g => g.ChannelsAfter < g.ChannelsBefore);
        Assert.Equal(a.Model.Proto.ToByteArray(), b.Model.Proto.ToByteArray());
    }

    [Fact]
    public void Distortion_allocation_is_the_channel_default_only_with_calibration_data()
    {
        Assert.Equal(SparsityAllocation.Distortion, new PruneSettings { Method = PruneMethod.Channel, CalibrationData = "calibration.npy" }.AllocationEffective);
        Assert.Equal(SparsityAllocation.Uniform, new PruneSettings { Method = PruneMethod.Channel }.AllocationEffective);
        Assert.Equal(SparsityAllocation.Uniform, new PruneSettings { Method = PruneMethod.Magnitude, CalibrationData = "calibration.npy" }.AllocationEffective);
    }

    [Theory]
    [InlineData(PruneMethod.Channel, false, SparsityScope.Global)]
    [InlineData(PruneMethod.Magnitude, false, SparsityScope.Layer)]
    [InlineData(PruneMethod.Magnitude, true, SparsityScope.Global)]
    [InlineData(PruneMethod.Block, true, SparsityScope.Layer)]
    public void Distortion_allocation_without_calibration_data_off_channel_and_per_layer_magnitude_is_cb2043(PruneMethod method, bool withData, SparsityScope scope)
    {
        var settings = new PruneSettings { Method = method, Allocation = SparsityAllocation.Distortion, CalibrationData = withData ? "calibration.npy" : null, Scope = scope };

        var e = Assert.Throws<CompressBuildException>(settings.Validate);

        Assert.Equal("CB2043", e.Code.Id);
        Assert.Contains("allocation distortion", e.Message, StringComparison.Ordinal);
    }
}
