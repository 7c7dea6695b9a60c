using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Weights;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization.Weights;

/// <summary>
/// int8-static with <c>rounding: gptq</c> on the PP-OCRv4 detector and recognizer: 16 rendered calibration inputs (seed 7),
/// output cosine on 8 other rendered inputs (seed 11). Neither reaches the 0.99 target (see the README's GPTQ paragraph):
/// each asserts a floor just under what it measured, above what round-to-nearest measured on the same inputs.
/// </summary>
public sealed class GptqRealModelTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder folder = new();

    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Gptq_on_the_detector_beats_nearest_and_keeps_output_cosine_above_0_987_short_of_0_99()
    {
        var (nearest, gptq) = Measure(RealModels.PaddleOcrDetector, "det", 320, 320, withNearest: true);

        // Measured: nearest 0.9829, gptq 0.9883 (CLI, same seeds).
        Assert.True(gptq > nearest!.Value && gptq >= 0.987, $"gptq {gptq:F4}, nearest {nearest:F4}");
    }

    [RealModelFact(RealModels.PaddleOcrRecognizer)]
    public void Gptq_on_the_recognizer_beats_nearest_and_keeps_output_cosine_above_0_977_short_of_0_99()
    {
        var (nearest, gptq) = Measure(RealModels.PaddleOcrRecognizer, "rec", 48, 320, withNearest: true);

        // Measured: gptq 0.9800 on its branch, 0.9780 after the capture's fully optimized stage sessions changed the Gram
        // matrices at float-rounding level (GPTQ's small gain on this model moves with them); nearest 0.9768.
        Assert.True(gptq > nearest!.Value && gptq >= 0.977, $"gptq {gptq:F4}, nearest {nearest:F4}");
    }

    public void Dispose() => folder.Dispose();

    private (double? Nearest, double Gptq) Measure(string name, string kind, int height, int width, bool withNearest)
    {
        var model = OnnxModelReader.Load(RealModels.Path(name));
        var calibration = OcrInputs.Render(folder.Path, kind, 16, seed: 7, height, width);
        var test = OcrInputs.Render(folder.Path, kind, 8, seed: 11, height, width);

        double? nearest = null;
        if (withNearest)
        {
            var plain = QuantizationPass.Run(model, new QuantizationRequest(new QuantizationOptions { Rounding = WeightRounding.Nearest }, calibration));
            nearest = FirstOutput.Compare(model, plain.Result.Model, test).Cosine;
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var gptq = QuantizationPass.Run(model, new QuantizationRequest(new QuantizationOptions { Rounding = WeightRounding.Gptq }, calibration));
        var time = clock.Elapsed;
        var cosine = FirstOutput.Compare(model, gptq.Result.Model, test).Cosine;
        var layers = gptq.Result.Nodes.Count(n => n.Detail?.Contains("GPTQ", StringComparison.Ordinal) == true);
        output.WriteLine($"{name}: output cosine nearest {nearest:F4}, gptq {cosine:F4} ({time.TotalSeconds:F1} s, {layers} layers)");
        return (nearest, cosine);
    }
}
