using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Pruning.Unstructured;

/// <summary>
/// The PP-OCRv4 recognizer pruned to 50% (per layer) with SparseGPT, scored by character accuracy of its CTC
/// greedy decoding against the rendered lines' ground truth (tests/models/ocr_inputs.py rec --text), on lines held out
/// from the calibration lines.
/// </summary>
public class RecognizerSparsityTests(ITestOutputHelper output)
{
    /// <remarks>
    /// The target is a drop of at most 1.0 point; measured 81.84% -> 81.97% with 12 capture stages of 4 layers
    /// (79.85% with 6 stages of 8, 76.87% with 2), with every row and with 256 sampled rows per Gram column alike. Global 50% is in its own test below; see the README's reconstruction table.
    /// </remarks>
    [RealModelFact(RealModels.PaddleOcrRecognizer, RealModels.PaddleOcrKeys)]
    public void Per_layer_50_percent_with_SparseGPT_loses_at_most_1_point_of_character_accuracy() =>
        Check(new PruneSettings { Method = PruneMethod.Magnitude, Sparsity = 0.5, Scope = SparsityScope.Layer }, "magnitude 50% per layer", 0.01, 0.5);

    /// <remarks>
    /// Global scope with calibration data: each layer's count from SparseGPT's saliency normalized by the layer's output energy,
    /// within 30-70% (LayerAllocation.GlobalSpread). Measured 81.84% -> 82.34% with 256 sampled rows per Gram column (80.97% with every row;
    /// second held-out seed then: 82.62% -> 81.86%); the
    /// |w| ranking read 69.28%. Fragile: within 20-80% it read 69.90%, within 40-60% 73.51% (see the README).
    /// </remarks>
    [RealModelFact(RealModels.PaddleOcrRecognizer, RealModels.PaddleOcrKeys)]
    public void Global_50_percent_with_SparseGPT_loses_at_most_1_point_of_character_accuracy() =>
        Check(new PruneSettings { Method = PruneMethod.Magnitude, Sparsity = 0.5, Scope = SparsityScope.Global }, "magnitude 50% global", 0.01, 0.5);

    /// <remarks>
    /// 2:4 along the input channels at each tap, the first Conv (3 channels) and the 14 depthwise Convs dense (CB4047; 70,320 of
    /// 2,669,672 weights, so 49.2% of the prunable weights are zero): measured 81.84% -> 81.47% with 256 sampled rows per Gram column (every
    /// row 80.97%, second held-out seed 82.62% -> 82.37%), where 2:4 over every layer's flattened [I, kh, kw] rows read 74.50%.
    /// </remarks>
    [RealModelFact(RealModels.PaddleOcrRecognizer, RealModels.PaddleOcrKeys)]
    public void Two_four_along_input_channels_with_SparseGPT_loses_at_most_1_point_of_character_accuracy() =>
        Check(new PruneSettings { Method = PruneMethod.NM, Pattern = NmPattern.TwoFour }, "2:4", 0.01, 0.4919);

    private void Check(PruneSettings settings, string how, double maxDrop, double sparsity)
    {
        using var temp = new TempFolder();
        var calibration = OcrInputs.Render(temp.Path, "rec", 32, seed: 7);
        var test = OcrInputs.Render(temp.Path, "rec", 64, seed: 11);
        var truth = RecognizerText.Truth(test);
        var decoder = CtcGreedyDecoder.FromKeysFile(RealModels.Path(RealModels.PaddleOcrKeys));

        var original = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrRecognizer));
        var plain = ModelPruner.Run(original, settings);
        var rebuilt = ModelPruner.Run(original, settings with { CalibrationData = calibration });

        var reference = RecognizerText.Accuracy(original, test, truth, decoder);
        var masks = RecognizerText.Accuracy(plain.Model, test, truth, decoder);
        var sparse = RecognizerText.Accuracy(rebuilt.Model, test, truth, decoder);
        var timing = rebuilt.Reconstruction;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        _ = RecognizerText.Accuracy(original, calibration, RecognizerText.Truth(calibration), decoder);
        var inference = clock.Elapsed;
        output.WriteLine($"ppocr-rec {how}: character accuracy reference {reference:P2}, magnitude masks {masks:P2}, SparseGPT {sparse:P2} "
            + $"(sparsity {rebuilt.MeasuredSparsity:P1}); {timing.Layers} layers, {timing.Passes} passes, capture {timing.Capture.TotalSeconds:F1} s, solves {timing.Solve.TotalSeconds:F1} s; "
            + $"plain inference over the 32 calibration lines {inference.TotalSeconds:F1} s (session and decoding included)");
        Assert.True(reference >= 0.8, $"reference character accuracy {reference:P2}: the decoding or the ground truth is off");
        Assert.Equal(sparsity, rebuilt.MeasuredSparsity, 3);
        Assert.True(masks < reference - 0.5, $"magnitude masks alone {masks:P2}: the check cannot tell SparseGPT's repair apart");
        Assert.True(sparse >= reference - maxDrop, $"{reference:P2} -> {sparse:P2}");
    }
}
