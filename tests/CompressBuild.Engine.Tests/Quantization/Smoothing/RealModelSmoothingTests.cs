using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Preprocessing;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Fusion;
using CompressBuild.Engine.Quantization.Smoothing;
using CompressBuild.Engine.Quantization.Weights;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization.Smoothing;

/// <summary>
/// SmoothQuant on PaddleOCR's public PP-OCRv4 models, prepared as int8-static prepares them (opset 13/14, affine
/// Mul/Add and BatchNormalization folded into Convs, hard-swish fused), on rendered text.
/// </summary>
public sealed class RealModelSmoothingTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder folder = new();

    /// <summary>
    /// Measured: 7 tensors, the three Conv -> Conv pairs (no activation between) and the four LayerNorm outputs into the
    /// SVTR blocks' qkv and fc1 MatMuls; everything else reaches its reader through HardSwish, Swish, Softmax or a residual Add.
    /// </summary>
    [RealModelFact(RealModels.PaddleOcrRecognizer)]
    public void Smoothing_the_recognizer_keeps_its_float_outputs() =>
        KeepsOutputs(RealModels.PaddleOcrRecognizer, OcrInputs.Render(folder.Path, "rec", 4, seed: 7), OcrInputs.Render(folder.Path, "rec", 2, seed: 11), 7);

    /// <summary>
    /// 17 of the detector's 18 sites: on these two pages one Relu output (relu_8) is zero in every channel, so its s stays 1.
    /// </summary>
    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Smoothing_the_detector_keeps_its_float_outputs() =>
        KeepsOutputs(RealModels.PaddleOcrDetector, OcrInputs.Render(folder.Path, "det", 2, seed: 7, height: 224, width: 224),
            OcrInputs.Render(folder.Path, "det", 2, seed: 11, height: 224, width: 224), 17);

    /// <summary>
    /// The detector's 17-18 Conv -> Conv pairs (a Conv, or Conv + Relu, into the next Conv) carry channels up to 108
    /// against others near 1; at alpha 0.8 the activations' widest channels come down to 2-9 and the weights take the rest.
    /// </summary>
    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Smoothing_at_alpha_0_8_raises_the_int8_static_detector_cosine()
    {
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrDetector));
        var calibrationPath = OcrInputs.Render(folder.Path, "det", 8, seed: 7, height: 224, width: 224);
        var test = OcrInputs.Render(folder.Path, "det", 4, seed: 11, height: 224, width: 224);
        Dataset calibration;
        using (var session = ModelSessions.Open(model))
        {
            calibration = DatasetLoader.Open(calibrationPath, session.Inputs);
        }

        var plain = ModelQuantizer.Quantize(model, new QuantizationOptions { Rounding = WeightRounding.Nearest }, calibration);
        var smoothed = ModelQuantizer.Quantize(model, new QuantizationOptions { Rounding = WeightRounding.Nearest, Smooth = 0.8 }, calibration);

        var before = FirstOutput.Compare(model, plain.Model, test).Cosine;
        var after = FirstOutput.Compare(model, smoothed.Model, test).Cosine;
        output.WriteLine($"cosine {before:F4} -> {after:F4}; {string.Join("; ", smoothed.FusionRewrites)}");
        Assert.Contains(smoothed.FusionRewrites, r => r.Contains("tensor(s) smoothed (SmoothQuant, alpha 0.8", StringComparison.Ordinal));
        Assert.Equal(plain.Model.Graph.Node.Count, smoothed.Model.Graph.Node.Count);
        Assert.True(after > before, $"cosine {before:F4} -> {after:F4}");
    }

    private void KeepsOutputs(string name, string calibration, string test, int expected)
    {
        var original = OnnxModelReader.Load(RealModels.Path(name));
        var converted = ModelPreprocessor.Run(original, PreprocessOptions.Default with { TargetOpset = ModelQuantizer.QdqOpset }).Model;
        var work = new QuantizationWork(new OnnxModel(converted.Proto.Clone(), converted.BaseDirectory, converted.SourcePath), new QuantizationOptions());
        FusionPreparation.Apply(work);
        var prepared = new OnnxModel(work.Proto.Clone(), work.Model.BaseDirectory, work.Model.SourcePath);
        var nodes = work.Graph.Node.Count;

        IReadOnlyList<SmoothedTensor> smoothed;
        using (var session = ModelSessions.Open(prepared))
        {
            smoothed = SmoothQuant.Apply(work.Model, DatasetLoader.Open(calibration, session.Inputs), 0.5, SessionSettings.Default);
        }

        foreach (var t in smoothed)
        {
            output.WriteLine($"{t.Tensor}: {t.ProducerOpType} {t.Producer} -> {string.Join("/", t.Consumers)}, {t.Channels} channels, max {t.MaxBefore:0.###} -> {t.MaxAfter:0.###}");
        }

        Assert.Equal(expected, smoothed.Count);
        Assert.Equal(nodes, work.Graph.Node.Count);
        var metrics = FirstOutput.Compare(prepared, work.Model, test);
        output.WriteLine($"cosine {metrics.Cosine}, max abs error {metrics.MaxAbsError}");
        Assert.True(metrics.Cosine > 0.99999 && metrics.MaxAbsError < 1e-4, $"cosine {metrics.Cosine}, max abs error {metrics.MaxAbsError}");
    }

    public void Dispose() => folder.Dispose();
}
