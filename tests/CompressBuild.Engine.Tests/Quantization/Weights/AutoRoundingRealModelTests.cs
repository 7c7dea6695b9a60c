using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pipeline.Passes;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Weights;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization.Weights;

/// <summary>
/// The int8-static detector with <c>quantize --mode int8-static --rounding auto --calibration-data x</c> (bound as the CLI and compress.yaml
/// bind it: GPTQ, since there is calibration data) against the default round-to-nearest, on rendered pages.
/// </summary>
public sealed class AutoRoundingRealModelTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder folder = new();

    /// <summary>
    /// 224x224 pages to stay near a minute: 16 calibrate (seed 7), 8 of seed 11 and 8 of seed 13 check. Measured with the CLI:
    /// auto 0.9831 and 0.9829, nearest 0.9855 and 0.9712 (GPTQ lowers one set a little and lifts the weak one a lot). At 320x320
    /// auto measured 0.9885 and 0.9841 against nearest's 0.9828 and 0.9822: short of the 0.99 target either way.
    /// </summary>
    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Rounding_auto_rounds_the_int8_static_detector_by_gptq_and_keeps_0_982_on_two_held_out_page_sets_above_nearests_weaker_one()
    {
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrDetector));
        var calibration = OcrInputs.Render(folder.Path, "det", 16, seed: 7, height: 224, width: 224);
        var checks = new[] { OcrInputs.Render(folder.Path, "det", 8, seed: 11, height: 224, width: 224), OcrInputs.Render(folder.Path, "det", 8, seed: 13, height: 224, width: 224) };
        var auto = QuantizeBinding.Bind(new PassPlan(PassRegistry.Quantize).With("mode", "int8-static").With("rounding", "auto")).Options;

        var byAuto = QuantizationPass.Run(model, new QuantizationRequest(auto, calibration)).Result;
        var nearest = QuantizationPass.Run(model, new QuantizationRequest(auto with { Rounding = WeightRounding.Nearest }, calibration)).Result;

        var gptqLayers = byAuto.Nodes.Count(n => n.Detail?.Contains("GPTQ", StringComparison.Ordinal) == true);
        var chosen = checks.Select(c => FirstOutput.Compare(model, byAuto.Model, c).Cosine).ToList();
        var plain = checks.Select(c => FirstOutput.Compare(model, nearest.Model, c).Cosine).ToList();
        output.WriteLine($"{gptqLayers} layers rounded by GPTQ; cosine seeds 11, 13: auto {chosen[0]:F4}, {chosen[1]:F4}; nearest {plain[0]:F4}, {plain[1]:F4}");
        Assert.Equal(WeightRounding.Auto, auto.Rounding);
        Assert.Equal(47, gptqLayers);
        Assert.All(chosen, c => Assert.True(c >= 0.982, $"auto {c:F4}"));
        Assert.True(chosen.Min() > plain.Min(), $"auto {chosen.Min():F4}, nearest {plain.Min():F4}");
    }

    public void Dispose() => folder.Dispose();
}
