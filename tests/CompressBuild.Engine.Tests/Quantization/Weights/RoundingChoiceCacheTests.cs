using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Quantization.Weights;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Weights;

/// <summary>The process-wide cache of <c>rounding: auto</c>'s choices, keyed by the model, the options and the calibration bytes.</summary>
public sealed class RoundingChoiceCacheTests
{
    [Fact]
    public void The_same_model_options_and_data_reuse_the_choice_and_other_data_or_options_choose_again()
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path("mlp.onnx"));
        // 11 samples: no other test resolves this model on them, so the first call computes.
        var calibration = DigitsQuantization.Calibration(model, "mlp.onnx").Take(11);

        var (first, chosen) = HeldOutChoice.Resolve(model, new QuantizationOptions(), calibration);
        var (again, reused) = HeldOutChoice.Resolve(model, new QuantizationOptions(), calibration);

        Assert.False(chosen!.Reused);
        Assert.True(reused!.Reused);
        Assert.Equal((first.Rounding, first.Smooth), (again.Rounding, again.Smooth));
        Assert.Equal(chosen.Candidates, reused.Candidates);
        Assert.EndsWith("reused: chosen earlier in this run for the same model, options and data", reused.Summary, StringComparison.Ordinal);

        var key = RoundingChoiceCache.Key(model, new QuantizationOptions(), calibration);
        Assert.Equal(key, RoundingChoiceCache.Key(OnnxModelReader.Load(DigitsQuantization.Path("mlp.onnx")), new QuantizationOptions(), calibration));
        Assert.NotEqual(key, RoundingChoiceCache.Key(model, new QuantizationOptions(), calibration.Take(10)));
        Assert.NotEqual(key, RoundingChoiceCache.Key(model, new QuantizationOptions { Smooth = 0.5 }, calibration));
        Assert.NotEqual(key, RoundingChoiceCache.Key(model, new QuantizationOptions { ExcludeNodes = ["x"] }, calibration));
        Assert.NotEqual(key, RoundingChoiceCache.Key(OnnxModelReader.Load(DigitsQuantization.Path("cnn_residual.onnx")), new QuantizationOptions(), calibration));
    }

    [Fact]
    public void The_tail_range_choice_is_reused_for_the_same_model_options_and_data_and_measured_again_for_other_data()
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path("cnn_residual.onnx"));
        // 9 samples: no other test resolves this model on them, so the first call measures.
        var calibration = DigitsQuantization.Calibration(model, "cnn_residual.onnx").Take(9);
        var options = new QuantizationOptions { Rounding = WeightRounding.Nearest };

        var (first, measured) = TailRangeChoice.Resolve(model, options, calibration, auto: true);
        var (again, reused) = TailRangeChoice.Resolve(model, options, calibration, auto: true);
        var (_, other) = TailRangeChoice.Resolve(model, options, calibration.Take(8), auto: true);

        Assert.False(measured!.Reused);
        Assert.True(reused!.Reused);
        Assert.Equal(measured.Candidates, reused.Candidates);
        Assert.Equal((measured.Before, measured.After), (reused.Before, reused.After));
        Assert.Equal(first.ActivationCalibration, again.ActivationCalibration);
        Assert.EndsWith("reused: chosen earlier in this run for the same model, options and data", reused.Summary, StringComparison.Ordinal);
        Assert.False(other!.Reused);
    }

    [Fact]
    public void A_reused_rounding_choice_carries_everything_it_chose_the_range_method_included()
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path("mlp.onnx"));
        // 7 samples: no other test chooses for this model on them, so the first call runs the given choice.
        var calibration = DigitsQuantization.Calibration(model, "mlp.onnx").Take(7);
        var asked = new QuantizationOptions();
        var chosen = asked with { Rounding = WeightRounding.Gptq, Smooth = 0.7, Calibration = CalibrationMethod.MseMedian };
        var candidate = new RoundingCandidate(WeightRounding.Gptq, 0.7, 0.99) { Calibration = CalibrationMethod.MseMedian };
        var choice = new RoundingChoice(candidate, [candidate], 4, 3);

        var first = RoundingChoiceCache.GetOrChoose(model, asked, calibration, () => (chosen, choice));
        var again = RoundingChoiceCache.GetOrChoose(model, asked, calibration, () => throw new InvalidOperationException("chosen again"));

        Assert.False(first.Choice.Reused);
        Assert.True(again.Choice.Reused);
        Assert.Equal((WeightRounding.Gptq, (double?)0.7, CalibrationMethod.MseMedian), (again.Options.Rounding, again.Options.Smooth, again.Options.Calibration));
    }
}
