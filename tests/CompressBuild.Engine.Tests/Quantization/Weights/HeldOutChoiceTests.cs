using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Quantization.Weights;
using CompressBuild.Engine.Runtime;
using CompressBuild.Engine.Tests.Evaluation;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Weights;

/// <summary><c>rounding: auto</c>, the int8-static default: nearest or gptq (and smoothing) chosen on held-out calibration samples.</summary>
public sealed class HeldOutChoiceTests
{
    [Fact]
    public void Auto_is_the_default_tries_every_rounding_with_and_without_smoothing_then_the_best_with_mse_median_ranges_kept_only_if_it_wins_both_halves_the_second_at_nearest()
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path("cnn_residual.onnx"));
        var calibration = DigitsQuantization.Calibration(model, "cnn_residual.onnx").Take(64);

        var (options, choice) = HeldOutChoice.Resolve(model, new QuantizationOptions(), calibration);

        Assert.Equal(WeightRounding.Auto, new QuantizationOptions().Rounding);
        Assert.NotNull(choice);
        Assert.Equal((16, 16), (choice.FitSamples, choice.CheckSamples));
        Assert.Equal([(WeightRounding.Nearest, null), (WeightRounding.Gptq, null), (WeightRounding.Nearest, 0.7), (WeightRounding.Gptq, (double?)0.7)],
            choice.Candidates.Take(4).Select(c => (c.Rounding, c.Smooth)));
        Assert.All(choice.Candidates.Take(4), c => Assert.Null(c.Calibration));
        var bestOfFour = choice.Candidates.Take(4).MaxBy(c => c.Score)!;
        var ranged = choice.Candidates[4];
        Assert.Equal((bestOfFour.Rounding, bestOfFour.Smooth, (CalibrationMethod?)CalibrationMethod.MseMedian, false), (ranged.Rounding, ranged.Smooth, ranged.Calibration, ranged.Swapped));

        // Swapped halves are measured only when the range candidate wins on the first split, and decide between the two.
        Assert.Equal(ranged.Score > bestOfFour.Score ? 7 : 5, choice.Candidates.Count);
        var wins = choice.Candidates.Count == 7 && choice.Candidates[6].Score > choice.Candidates[5].Score;
        Assert.All(choice.Candidates.Skip(5), c => Assert.Equal((true, WeightRounding.Nearest, bestOfFour.Smooth), (c.Swapped, c.Rounding, c.Smooth)));
        Assert.Same(wins ? ranged : bestOfFour, choice.Chosen);
        Assert.Equal((choice.Chosen.Rounding, choice.Chosen.Smooth, choice.Chosen.Calibration ?? CalibrationMethod.Percentile), (options.Rounding, options.Smooth, options.Calibration));
        Assert.Null(choice.Chosen.Agreement);
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
    public void A_named_rounding_or_another_mode_is_left_alone_a_given_smooth_or_range_method_is_kept_and_few_samples_mean_nearest()
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
        Assert.Equal([0.5, 0.5, 0.5], choice!.Candidates.Take(3).Select(c => c.Smooth));

        // Another range method than the default percentile is the user's: only the roundings are tried.
        var (_, mseChoice) = HeldOutChoice.Resolve(model, new QuantizationOptions { Calibration = CalibrationMethod.Mse, Smooth = 0.5 }, calibration);
        Assert.Equal(2, mseChoice!.Candidates.Count);
        Assert.Equal((4, 4), (choice.FitSamples, choice.CheckSamples));
    }

    [Fact]
    public void The_choice_is_deterministic_the_pass_reports_it_and_a_second_pass_reuses_it()
    {
        using var folder = new TempFolder();
        var model = OnnxModelReader.Load(DigitsQuantization.Path("mlp.onnx"));
        var data = DigitsQuantization.Path("calib_x_flat.npy");

        var one = QuantizationPass.Run(model, new QuantizationRequest(new QuantizationOptions(), data, 16)).Result;
        var two = QuantizationPass.Run(model, new QuantizationRequest(new QuantizationOptions(), data, 16)).Result;
        var computedAgain = HeldOutChoice.Choose(model, new QuantizationOptions(), DigitsQuantization.Calibration(model, "mlp.onnx").Take(16)).Choice;

        Assert.NotNull(one.RoundingChoice);
        Assert.True(two.RoundingChoice!.Reused);
        Assert.Equal(one.RoundingChoice.Candidates, two.RoundingChoice.Candidates);
        Assert.Equal(computedAgain.Candidates, one.RoundingChoice.Candidates);
        Assert.Equal(DigitsQuantization.Bytes(one.Model, folder.File("a.onnx")), DigitsQuantization.Bytes(two.Model, folder.File("b.onnx")));
    }

    [Fact]
    public void A_smoothing_that_finds_nothing_to_rescale_gets_the_unsmoothed_score_it_would_have_computed()
    {
        // A Sigmoid-fed MatMul: no exact rescaling passes a Sigmoid, so smoothing finds nothing (CB4038).
        using var folder = new TempFolder();
        const int Width = 16;
        var proto = TestModels.Empty(13);
        proto.Graph.Initializer.Add(TensorData.FromArray<float>("w", [Width, 8], [.. Enumerable.Range(0, Width * 8).Select(i => ((i % 7) - 3) * 0.1f)]));
        proto.Graph.Node.Add(TestModels.Node("Sigmoid", ["x"], ["gate"]));
        proto.Graph.Node.Add(TestModels.Node("MatMul", ["gate", "w"], ["y"]));
        proto.Graph.Input.Add(TestModels.Tensor("x", TensorProto.Types.DataType.Float, "n", 5, Width));
        proto.Graph.Output.Add(TestModels.Tensor("y", TensorProto.Types.DataType.Float, "n", 5, 8));
        var model = new OnnxModel(proto, folder.Path, null);
        var random = new Random(11);
        var values = Enumerable.Range(0, 8 * 5 * Width).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(folder.File("x.npy"), NpyBytes.Create("<f4", "(8, 5, 16)", bytes));
        using var reference = ModelSessions.Open(model);
        var calibration = DatasetLoader.Open(folder.File("x.npy"), reference.Inputs);

        var choice = HeldOutChoice.Choose(model, new QuantizationOptions(), calibration).Choice;
        var smoothed = ModelQuantizer.Quantize(model, new QuantizationOptions { Rounding = WeightRounding.Gptq, Smooth = HeldOutChoice.SmoothCandidate }, calibration.Every(2, 0));
        using var candidate = ModelSessions.Open(smoothed.Model);

        Assert.Contains(smoothed.Advisories, a => a.Code == DiagnosticCodes.SmoothingFoundNothing.Id);
        var gptqSmoothed = choice.Candidates.Single(c => c.Rounding == WeightRounding.Gptq && c.Smooth is not null);
        Assert.Equal(ModelComparison.Run(reference, candidate, calibration.Every(2, 1)).Outputs.Min(o => o.Cosine), gptqSmoothed.Cosine);
        Assert.Equal(choice.Candidates.Single(c => c.Rounding == WeightRounding.Gptq && c.Smooth is null).Cosine, gptqSmoothed.Cosine);
    }
}
