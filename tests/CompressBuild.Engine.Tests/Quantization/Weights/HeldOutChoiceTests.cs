using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Weights;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Weights;

/// <summary><c>rounding: auto</c>, the int8-static default: nearest or gptq (and smoothing) chosen on held-out calibration samples.</summary>
public sealed class HeldOutChoiceTests
{
    [Fact]
    public void Auto_is_the_default_and_tries_every_rounding_with_and_without_smoothing_and_keeps_the_best_held_out_score()
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path("cnn_residual.onnx"));
        var calibration = DigitsQuantization.Calibration(model, "cnn_residual.onnx").Take(64);

        var (options, choice) = HeldOutChoice.Resolve(model, new QuantizationOptions(), calibration);

        Assert.Equal(WeightRounding.Auto, new QuantizationOptions().Rounding);
        Assert.NotNull(choice);
        Assert.Equal((8, 8), (choice.FitSamples, choice.CheckSamples));
        Assert.Equal([(WeightRounding.Nearest, null), (WeightRounding.Gptq, null), (WeightRounding.Nearest, 0.7), (WeightRounding.Gptq, (double?)0.7)],
            choice.Candidates.Select(c => (c.Rounding, c.Smooth)));
        Assert.Equal(choice.Candidates.Max(c => Math.Round(c.Cosine, 4)), Math.Round(choice.Chosen.Cosine, 4));
        Assert.Equal((choice.Chosen.Rounding, choice.Chosen.Smooth), (options.Rounding, options.Smooth));
        Assert.StartsWith("auto chose ", choice.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void The_chosen_candidates_score_is_what_it_gives_on_the_odd_samples_when_quantized_on_the_even_ones()
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path("mlp.onnx"));
        var calibration = DigitsQuantization.Calibration(model, "mlp.onnx").Take(16);

        var (options, choice) = HeldOutChoice.Resolve(model, new QuantizationOptions(), calibration);
        var again = ModelQuantizer.Quantize(model, options, calibration.Every(2, 0)).Model;
        using var reference = ModelSessions.Open(model);
        using var candidate = ModelSessions.Open(again);

        Assert.Equal(choice!.Chosen.Cosine, ModelComparison.Run(reference, candidate, calibration.Every(2, 1)).Outputs.Min(o => o.Cosine), 6);
    }

    [Fact]
    public void A_named_rounding_or_another_mode_is_left_alone_a_given_smooth_is_kept_and_few_samples_mean_nearest()
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path("mlp.onnx"));
        var calibration = DigitsQuantization.Calibration(model, "mlp.onnx").Take(8);

        var named = new QuantizationOptions { Rounding = WeightRounding.Gptq };
        Assert.Equal((named, (RoundingChoice?)null), HeldOutChoice.Resolve(model, named, calibration));
        var dynamic = new QuantizationOptions { Mode = QuantizationMode.Int8Dynamic };
        Assert.Equal((dynamic, (RoundingChoice?)null), HeldOutChoice.Resolve(model, dynamic, calibration));
        var (few, none) = HeldOutChoice.Resolve(model, new QuantizationOptions(), calibration.Take(HeldOutChoice.MinSamples - 1));
        Assert.Equal(WeightRounding.Nearest, few.Rounding);
        Assert.Null(none);

        var (smoothed, choice) = HeldOutChoice.Resolve(model, new QuantizationOptions { Smooth = 0.5 }, calibration);
        Assert.Equal(0.5, smoothed.Smooth);
        Assert.Equal([0.5, 0.5], choice!.Candidates.Select(c => c.Smooth));
        Assert.Equal((4, 4), (choice.FitSamples, choice.CheckSamples));
    }

    [Fact]
    public void The_choice_is_deterministic_and_the_pass_reports_it()
    {
        using var folder = new TempFolder();
        var model = OnnxModelReader.Load(DigitsQuantization.Path("mlp.onnx"));
        var data = DigitsQuantization.Path("calib_x_flat.npy");

        var one = QuantizationPass.Run(model, new QuantizationRequest(new QuantizationOptions(), data, 16)).Result;
        var two = QuantizationPass.Run(model, new QuantizationRequest(new QuantizationOptions(), data, 16)).Result;

        Assert.NotNull(one.RoundingChoice);
        Assert.Equal(one.RoundingChoice.Summary, two.RoundingChoice!.Summary);
        Assert.Equal(DigitsQuantization.Bytes(one.Model, folder.File("a.onnx")), DigitsQuantization.Bytes(two.Model, folder.File("b.onnx")));
    }
}
