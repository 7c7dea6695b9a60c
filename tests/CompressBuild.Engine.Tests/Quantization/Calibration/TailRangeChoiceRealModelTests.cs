using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Quantization.Weights;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization.Calibration;

/// <summary>
/// <see cref="TailRangeChoice"/> on the PP-OCRv4 detector's real activations: which long-tailed activations it finds, the range it
/// chooses for them on held-out calibration pages, and that the choice beats the percentile ranges on pages it never saw.
/// </summary>
public sealed class TailRangeChoiceRealModelTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder folder = new();

    /// <summary>
    /// 224x224 pages and round-to-nearest weights (with the default's smooth 0.7) to stay near a minute: 16 pages of seed 7 calibrate,
    /// 8 of seed 11 and 8 of seed 13 check. Measured: 12 candidates (observed/percentile 1.15x-1.24x: HardSwish outputs and the Adds
    /// and Muls after them), 5 moved to minmax (e.g. hardswish_59 [-0.375, 164.6] -> 192.5, +0.0028 held out), held-out 0.9808 ->
    /// 0.9857; unseen pages 0.9846 / 0.9866 (percentile) -> 0.9855 / 0.9854, so the worse set gains while the better one gives a little
    /// (with the default's GPTQ at 320x320, both gain: README, "Long-tailed activation ranges chosen on held-out samples").
    /// </summary>
    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Long_tailed_detector_activations_take_their_observed_range_where_held_out_pages_prefer_it_and_the_worse_unseen_page_set_gains()
    {
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrDetector));
        using var session = ModelSessions.Open(model);
        string Pages(int count, int seed) => OcrInputs.Render(folder.Path, "det", count, seed, height: 224, width: 224);
        var calibration = DatasetLoader.Open(Pages(16, 7), session.Inputs);
        var options = new QuantizationOptions { Rounding = WeightRounding.Nearest, Smooth = HeldOutChoice.SmoothCandidate };

        var (chosen, report) = TailRangeChoice.Resolve(model, options, calibration, auto: true);
        var before = ModelQuantizer.Quantize(model, options, calibration).Model;
        var after = ModelQuantizer.Quantize(model, chosen, calibration).Model;
        var checks = new[] { Pages(8, 11), Pages(8, 13) };
        var old = checks.Select(c => FirstOutput.Compare(model, before, c).Cosine).ToList();
        var now = checks.Select(c => FirstOutput.Compare(model, after, c).Cosine).ToList();
        output.WriteLine($"{report?.Summary}; cosine seeds 11, 13: percentile {old[0]:F4}, {old[1]:F4}; chosen {now[0]:F4}, {now[1]:F4}");

        Assert.NotNull(report);
        Assert.NotEmpty(report.Candidates);
        Assert.All(report.Candidates, c => Assert.True(c.Observed.High - c.Observed.Low >= TailRangeChoice.TailRatio * (c.Percentile.High - c.Percentile.Low), c.ToString()));
        Assert.NotEmpty(report.Moved);
        Assert.Equal(report.Moved.Order(StringComparer.Ordinal), chosen.ActivationCalibration.Keys.Order(StringComparer.Ordinal));
        Assert.All(chosen.ActivationCalibration.Values, m => Assert.Equal(CalibrationMethod.MinMax, m));
        Assert.True(report.After > report.Before, report.Summary);
        Assert.True(now.Min() > old.Min(), $"chosen {now.Min():F4}, percentile {old.Min():F4}");
    }

    [Fact]
    public void Fixed_rounding_or_another_range_method_leaves_the_options_unchanged()
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path("cnn_residual.onnx"));
        var calibration = DigitsQuantization.Calibration(model, "cnn_residual.onnx");
        var options = new QuantizationOptions { Rounding = WeightRounding.Nearest };

        Assert.Same(options, TailRangeChoice.Resolve(model, options, calibration, auto: false).Options);
        var mse = options with { Calibration = CalibrationMethod.Mse };
        Assert.Same(mse, TailRangeChoice.Resolve(model, mse, calibration, auto: true).Options);
        Assert.Null(TailRangeChoice.Resolve(model, mse, calibration, auto: true).Report);
    }

    public void Dispose() => folder.Dispose();
}
