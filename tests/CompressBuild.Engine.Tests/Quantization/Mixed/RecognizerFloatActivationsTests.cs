using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Mixed;

/// <summary>
/// The PP-OCRv4 recognizer in int8-static with the 16 activation pairs <c>--keep-float-top 16 --mixed-units activations</c> chose on
/// 32 calibration lines (seed 7) left float, every weight int8, scored by character accuracy on 64 held-out lines (seed 11).
/// Measured: 81.84% -> 79.85% (drop 1.99 points, against 4.35 with every pair int8), 3.81x smaller, 1.33x fp32's speed; the
/// issue's 0.5-point target is not met, so the test holds the measured drop with a small margin. With mse calibration the
/// selection (same command plus <c>--calibration-method mse</c>) chose <see cref="ChosenWithMse"/>: measured drop 1.49 points. Ranked by
/// the greedy path (GreedyPathScore, what the selection now uses on a softmax output) it chose <see cref="ChosenByPath"/>: measured
/// 1.00 points (1.51 on seed 13's lines).
/// </summary>
public class RecognizerFloatActivationsTests
{
    private static readonly string[] Chosen =
    [
        "hardswish_35.tmp_0", "hardswish_53.tmp_0", "p2o.Add.47_shifted", "p2o.Add.199_shifted", "hardswish_41.tmp_0", "hardswish_30.tmp_0", "batch_norm_2.tmp_2",
        "hardswish_42.tmp_0", "p2o.Add.139", "p2o.Add.27", "p2o.Add.35", "p2o.Add.59", "p2o.Add.107", "p2o.Add.195", "p2o.Add.79_shifted", "hardswish_32.tmp_0",
    ];

    private static readonly string[] ChosenWithMse =
    [
        "p2o.Add.47_shifted", "conv2d_200.tmp_0", "p2o.Add.83", "p2o.Add.43", "p2o.Add.59", "relu_0.tmp_0", "hardswish_35.tmp_0", "relu_1.tmp_0",
        "hardswish_39.tmp_0", "hardswish_37.tmp_0", "p2o.Add.163", "p2o.Add.19", "p2o.Add.27", "p2o.Add.179_shifted", "hardswish_42.tmp_0", "p2o.Add.3",
    ];

    private static readonly string[] ChosenByPath =
    [
        "p2o.Add.47_shifted", "p2o.Add.59", "conv2d_200.tmp_0", "p2o.Add.43", "p2o.Add.3", "p2o.Add.27", "relu_1.tmp_0", "p2o.Add.83",
        "p2o.Add.19", "hardswish_42.tmp_0", "p2o.Mul.125", "hardswish_44.tmp_0", "hardswish_33.tmp_0", "hardswish_39.tmp_0", "relu_0.tmp_0", "p2o.Add.163",
    ];

    [RealModelFact(RealModels.PaddleOcrRecognizer, RealModels.PaddleOcrKeys)]
    public void With_mse_ranges_the_16_activations_the_greedy_path_ranks_most_harmful_float_lose_at_most_1_2_points_of_character_accuracy()
    {
        var (reference, candidate, quantized) = Quantize(new QuantizationOptions
        {
            Mode = QuantizationMode.Int8Static, Calibration = Engine.Quantization.Calibration.CalibrationMethod.Mse, FloatActivations = ChosenByPath,
        });

        Assert.DoesNotContain(quantized.Model.Graph.Node, n => n.OpType == "QuantizeLinear" && ChosenByPath.Contains(n.Input[0]));
        Assert.True(candidate >= reference - 0.012, $"{reference:P2} -> {candidate:P2}");
    }

    [RealModelFact(RealModels.PaddleOcrRecognizer, RealModels.PaddleOcrKeys)]
    public void With_mse_ranges_its_16_most_harmful_activations_float_lose_at_most_1_7_points_of_character_accuracy()
    {
        var (reference, candidate, quantized) = Quantize(new QuantizationOptions
        {
            Mode = QuantizationMode.Int8Static, Calibration = Engine.Quantization.Calibration.CalibrationMethod.Mse, FloatActivations = ChosenWithMse,
        });

        Assert.DoesNotContain(quantized.Model.Graph.Node, n => n.OpType == "QuantizeLinear" && ChosenWithMse.Contains(n.Input[0]));
        Assert.True(candidate >= reference - 0.017, $"{reference:P2} -> {candidate:P2}");
    }

    [RealModelFact(RealModels.PaddleOcrRecognizer, RealModels.PaddleOcrKeys)]
    public void Its_16_most_harmful_activations_float_lose_at_most_2_2_points_of_character_accuracy_with_weights_int8()
    {
        var (reference, candidate, quantized) = Quantize(new QuantizationOptions { Mode = QuantizationMode.Int8Static, FloatActivations = Chosen });

        Assert.DoesNotContain(quantized.Model.Graph.Node, n => n.OpType == "QuantizeLinear" && Chosen.Contains(n.Input[0]));
        Assert.All(quantized.Nodes.Where(n => n.OpType is "Conv" or "MatMul" && n.Detail.Contains("weights", StringComparison.Ordinal)), n => Assert.True(n.Quantized));
        Assert.True(candidate >= reference - 0.022, $"{reference:P2} -> {candidate:P2}");
    }

    /// <summary>Quantizes the recognizer on 32 rendered lines (seed 7); character accuracy of it and of the original on 64 others (seed 11).</summary>
    private static (double Reference, double Candidate, QuantizationResult Quantized) Quantize(QuantizationOptions options)
    {
        using var temp = new TempFolder();
        var calibration = OcrInputs.Render(temp.Path, "rec", 32, seed: 7);
        var test = OcrInputs.Render(temp.Path, "rec", 64, seed: 11);
        var truth = RecognizerText.Truth(test);
        var decoder = CtcGreedyDecoder.FromKeysFile(RealModels.Path(RealModels.PaddleOcrKeys));
        var original = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrRecognizer));
        using var session = ModelSessions.Open(original);
        // Nearest rounding, as the selections were measured: what is tested is which activations stay float, not the held-out rounding choice.
        var quantized = ModelQuantizer.Quantize(original, options with { Rounding = Engine.Quantization.Weights.WeightRounding.Nearest }, DatasetLoader.Open(calibration, session.Inputs));
        var reference = RecognizerText.Accuracy(original, test, truth, decoder);
        Assert.True(reference >= 0.8, $"reference character accuracy {reference:P2}: the decoding or the ground truth is off");
        return (reference, RecognizerText.Accuracy(quantized.Model, test, truth, decoder), quantized);
    }
}
