using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Pruning.Structured;

/// <summary>The PP-OCRv4 text detector pruned 25% by channels, on rendered text pages (tests/models/ocr_inputs.py).</summary>
public class DetectorReconstructionTests(ITestOutputHelper output)
{
    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Channel_25_percent_with_reconstruction_keeps_the_detector_map_above_cosine_0_92_and_beats_mean_folding()
    {
        using var temp = new TempFolder();
        var calibration = OcrInputs.Render(temp.Path, "det", 32, seed: 7, height: 320, width: 320);
        var test = OcrInputs.Render(temp.Path, "det", 4, seed: 11, height: 320, width: 320);

        var original = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrDetector));
        var settings = new PruneSettings
        {
            Method = PruneMethod.Channel,
            Sparsity = 0.25,
            Importance = ChannelImportance.Activation,
            CalibrationData = calibration,
            Allocation = SparsityAllocation.Uniform,
        };

        var plain = ModelPruner.Run(original, settings with { Reconstruct = false });
        var rebuilt = ModelPruner.Run(original, settings);

        var before = FirstOutput.Compare(original, plain.Model, test).Cosine;
        var after = FirstOutput.Compare(original, rebuilt.Model, test).Cosine;
        var timing = rebuilt.Reconstruction;
        output.WriteLine($"ppocr-det channel 25%: parameters {rebuilt.ParametersBefore} -> {rebuilt.ParametersAfter}; cosine mean folding only {before:F4}, reconstructed {after:F4}; "
            + $"{timing.Layers} layers, {timing.Passes} passes, capture {timing.Capture.TotalSeconds:F1} s, solves {timing.Solve.TotalSeconds:F1} s");
        Assert.True(rebuilt.ParametersAfter < rebuilt.ParametersBefore * 0.7);
        // Measured 0.9337 on these pages with ConsumerReconstruction.MaxRows (0.9344 without; mean folding alone 0.9297); the 0.95 was reached only on plainer pages.
        Assert.True(after >= 0.92, $"cosine {after:F4}");
        Assert.True(after > before, $"{before:F4} -> {after:F4}");
    }
}
