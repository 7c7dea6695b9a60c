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

    private static double Cosine(OnnxModel original, OnnxModel pruned, string data)
    {
        using var reference = ModelSessions.Open(original);
        using var candidate = ModelSessions.Open(pruned);
        return ModelComparison.Run(reference, candidate, DatasetLoader.Open(data, reference.Inputs), null).Outputs[0].Cosine;
    }
}
