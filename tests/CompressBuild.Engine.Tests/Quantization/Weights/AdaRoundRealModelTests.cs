using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Weights;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization.Weights;

/// <summary>int8-static with <c>rounding: adaround</c> against round-to-nearest on the PP-OCRv4 models, on rendered text.</summary>
public sealed class AdaRoundRealModelTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder folder = new();

    [RealModelFact(RealModels.PaddleOcrClassifier)]
    public void Adaround_on_the_classifier_keeps_output_cosine_above_0_99()
    {
        var (nearest, adaround) = Compare(RealModels.PaddleOcrClassifier, "cls", 48, 192);

        // Not "at least nearest's": with latency placement on (the default) nearest measured 0.9998 and adaround 0.9965-0.9989
        // (0.9989 both before placement). The detector 0.9848 -> 0.9853 and the recognizer 0.9715 -> 0.9698 take minutes.
        Assert.True(adaround >= 0.99, $"adaround {adaround:F4}, nearest {nearest:F4}");
    }

    public void Dispose() => folder.Dispose();

    private (double Nearest, double AdaRound) Compare(string name, string kind, int height, int width)
    {
        var model = OnnxModelReader.Load(RealModels.Path(name));
        var calibration = OcrInputs.Render(folder.Path, kind, 16, seed: 7, height, width);
        var test = OcrInputs.Render(folder.Path, kind, 8, seed: 11, height, width);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var nearest = QuantizationPass.Run(model, new QuantizationRequest(new QuantizationOptions { Rounding = WeightRounding.Nearest }, calibration));
        var nearestTime = clock.Elapsed;
        clock.Restart();
        var adaround = QuantizationPass.Run(model, new QuantizationRequest(new QuantizationOptions { Rounding = WeightRounding.AdaRound }, calibration));
        var adaroundTime = clock.Elapsed;

        var before = FirstOutput.Compare(model, nearest.Result.Model, test).Cosine;
        var after = FirstOutput.Compare(model, adaround.Result.Model, test).Cosine;
        var rounded = adaround.Result.Nodes.Count(n => n.Detail?.Contains("AdaRound", StringComparison.Ordinal) == true);
        output.WriteLine($"{name}: output cosine nearest {before:F4} ({nearestTime.TotalSeconds:F1} s), adaround {after:F4} ({adaroundTime.TotalSeconds:F1} s, {rounded} layers)");
        return (before, after);
    }
}
