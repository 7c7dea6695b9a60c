using System.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.Pruning.Structured;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Pruning.Structured;

/// <summary>
/// round_to auto (the default: the NCHWc block or round_to 1 by RoundToChoice.Rule, whole models timed only to confirm) on the PP-OCRv4 detector, channel 25% with distortion
/// allocation and reconstruction, on rendered text pages (tests/models/ocr_inputs.py).
/// </summary>
public class DetectorAutoRoundingTests(ITestOutputHelper output)
{
    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Round_to_auto_on_the_detector_rounds_every_group_to_one_choice_of_1_or_the_block_with_cosine_above_0_95()
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

        // One choice for the whole model: the CPU's NCHWc block, or 1 when the rule found the block's plan too light or too distorting.
        var chosen = result.ChannelGroups[0].RoundTo;
        output.WriteLine($"round_to {result.RoundTo!.Chosen}: {result.RoundTo.Reason}; distortion 1 {result.RoundTo.DistortionAtOne:F4}, block {result.RoundTo.DistortionAtBlock:F4}");
        Assert.Equal(result.RoundTo.Chosen, chosen);
        Assert.Contains(chosen, new[] { 1, RoundToChoice.Block });
        Assert.All(result.ChannelGroups, g => Assert.Equal(chosen, g.RoundTo));
        Assert.NotEmpty(pruned);
        Assert.All(result.ChannelGroups.Where(g => g.Protected is null && g.ChannelsAfter < g.ChannelsBefore),
            g => Assert.True(g.ChannelsAfter % chosen == 0, $"{string.Join(" + ", g.Members)}: {g.ChannelsAfter} kept, round-to {chosen}"));
        Assert.True(cosine >= 0.95, $"cosine {cosine:F4}");
        Assert.True(result.ParametersAfter < result.ParametersBefore * 0.6, $"{result.ParametersAfter} parameters");
    }
}
