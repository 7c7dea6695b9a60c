using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.Pruning.Structured;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Pruning.Structured;

/// <summary>
/// round_to auto (the default) on the PP-OCRv4 text-direction classifier, channel 25% with distortion allocation and
/// reconstruction, on rendered text lines (tests/models/ocr_inputs.py): its groups are narrow (16-96 channels), and the plan at
/// the NCHWc block distorts the output several times more than round_to 1's, which the rule must see without any timing.
/// </summary>
public class ClassifierAutoRoundingTests(ITestOutputHelper output)
{
    [RealModelFact(RealModels.PaddleOcrClassifier)]
    public void On_the_classifier_the_blocks_plan_distorts_the_output_over_the_limit_so_auto_keeps_round_to_1_which_is_more_accurate()
    {
        Assert.True(RoundToChoice.Block > 1, "this test needs an x86 CPU with AVX2 or AVX-512");
        using var temp = new TempFolder();
        var calibration = OcrInputs.Render(temp.Path, "cls", 32, seed: 7);
        var test = OcrInputs.Render(temp.Path, "cls", 16, seed: 11);
        var original = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrClassifier));
        var settings = new PruneSettings
        {
            Method = PruneMethod.Channel, Sparsity = 0.25, Importance = ChannelImportance.Activation, CalibrationData = calibration, RoundToAuto = true,
        };

        var auto = ModelPruner.Run(original, settings);
        var atBlock = ModelPruner.Run(original, settings with { RoundToAuto = false, RoundTo = RoundToChoice.Block });

        var decision = auto.RoundTo!;
        var cosine = FirstOutput.Compare(original, auto.Model, test).Cosine;
        var blockCosine = FirstOutput.Compare(original, atBlock.Model, test).Cosine;
        output.WriteLine($"ppocr-cls channel 25%, round_to auto: {decision.Chosen} ({decision.Reason}); distortion 1 {decision.DistortionAtOne:F4}, " +
            $"{decision.Block} {decision.DistortionAtBlock:F4}; cosine {cosine:F4}, at round_to {decision.Block} {blockCosine:F4}");
        Assert.True(decision.DistortionAtBlock > RoundToChoice.MaxDistortionRatio * decision.DistortionAtOne, "the block's plan distorts more");
        Assert.Equal(1, decision.Chosen);
        Assert.All(auto.ChannelGroups, g => Assert.Equal(1, g.RoundTo));
        Assert.DoesNotContain(auto.Advisories, a => a.Code == "CB4072");
        Assert.True(cosine > blockCosine + 0.01, $"cosine {cosine:F4} against {blockCosine:F4} at the block");
    }
}
