using System.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Pruning.Structured;

/// <summary>round_to auto on the PP-OCRv4 detector, channel 25% with distortion allocation and reconstruction, on rendered text pages (tests/models/ocr_inputs.py).</summary>
public class DetectorAutoRoundingTests(ITestOutputHelper output)
{
    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Round_to_auto_on_the_detector_keeps_multiples_of_each_groups_chosen_count_and_cosine_above_0_95()
    {
        using var temp = new TempFolder();
        var calibration = OcrInputs.Render(temp.Path, "det", 8, seed: 7, height: 224, width: 224);
        var test = OcrInputs.Render(temp.Path, "det", 4, seed: 11, height: 224, width: 224);
        var original = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrDetector));
        var settings = new PruneSettings
        {
            Method = PruneMethod.Channel, Sparsity = 0.25, Importance = ChannelImportance.Activation, CalibrationData = calibration, RoundToAuto = true,
        };

        var clock = Stopwatch.StartNew();
        var result = ModelPruner.Run(original, settings);
        var elapsed = clock.Elapsed;

        var cosine = FirstOutput.Compare(original, result.Model, test).Cosine;
        var pruned = result.ChannelGroups.Where(g => g.ChannelsAfter < g.ChannelsBefore).ToList();
        output.WriteLine($"ppocr-det channel 25%, round_to auto: {result.ParametersBefore} -> {result.ParametersAfter} parameters, cosine {cosine:F4}, "
            + $"pruned in {elapsed.TotalSeconds:F1} s; groups {string.Join(", ", pruned.Select(g => $"{g.ChannelsBefore}->{g.ChannelsAfter} (x{g.RoundTo})"))}");

        // A group may come out whole: its allocation's count rounded up to the group's size when that measured clearly faster
        // (192 channels against 168, which no 16-channel NCHWc block divides, on this AVX-512 machine).
        Assert.NotEmpty(pruned);
        Assert.All(result.ChannelGroups.Where(g => g.Protected is null),
            g => Assert.True(g.ChannelsAfter % g.RoundTo == 0, $"{string.Join(" + ", g.Members)}: {g.ChannelsAfter} kept, round-to {g.RoundTo}"));
        Assert.Contains(result.ChannelGroups, g => g.RoundTo > 1);
        Assert.True(cosine >= 0.95, $"cosine {cosine:F4}");
        Assert.True(result.ParametersAfter < result.ParametersBefore * 0.6, $"{result.ParametersAfter} parameters");
    }
}
