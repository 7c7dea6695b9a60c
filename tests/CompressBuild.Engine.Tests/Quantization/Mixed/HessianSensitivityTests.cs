using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Mixed;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Mixed;

public class HessianSensitivityTests
{
    private const string Cnn = "cnn_residual.onnx";

    private static readonly QuantizationOptions Hessian = new() { Mode = QuantizationMode.Int8Static, Sensitivity = SensitivityMethod.Hessian, LatencyPlacement = false };

    private static List<string> Layers(OnnxModel model) =>
        [.. model.Graph.Node.Where(n => n.OpType is "Conv" or "Gemm" or "MatMul").Select(n => n.Name)];

    [Fact]
    public void The_hessian_ranking_is_deterministic_and_runs_no_trial_models()
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path(Cnn));
        var calibration = DigitsQuantization.Calibration(model, Cnn).Take(100);

        var first = MixedPrecision.Run(model, Hessian, calibration, null, 2);
        var second = MixedPrecision.Run(model, Hessian, calibration, null, 2);

        Assert.Equal(7, first.Layers.Count);
        Assert.Equal(first.Layers.Select(l => (l.Node, l.Hessian)), second.Layers.Select(l => (l.Node, l.Hessian)));
        Assert.All(first.Layers, l => Assert.True(l.Hessian > 0, $"{l.Node}: {l.Hessian}"));
        Assert.Equal(first.Layers.OrderByDescending(l => l.Hessian).Select(l => l.Node), first.Layers.Select(l => l.Node));
        // The only model runs are the Gram capture: one pass over the 100 samples, no per-layer trial model.
        var ranking = first.Ranking!;
        Assert.Equal(SensitivityMethod.Hessian, ranking.Method);
        Assert.Equal(0, ranking.Trials);
        Assert.Equal(1, ranking.Capture!.Passes);
        Assert.Equal(100, ranking.Capture.Samples);
        Assert.Equal(7, ranking.Capture.Layers);
    }

    [Fact]
    public void The_probe_ranking_builds_one_trial_model_per_layer()
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path(Cnn));
        var result = MixedPrecision.Run(model, Hessian with { Sensitivity = SensitivityMethod.Probe }, DigitsQuantization.Calibration(model, Cnn).Take(100), null, 1);

        Assert.Equal(7, result.Ranking!.Trials);
        Assert.Null(result.Ranking.Capture);
        Assert.All(result.Layers, l => Assert.Null(l.Hessian));
    }

    [Fact]
    public void A_layer_made_coarse_by_one_outlier_weight_ranks_most_sensitive()
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path(Cnn));
        var calibration = DigitsQuantization.Calibration(model, Cnn).Take(100);
        var perTensor = Hessian with { PerChannel = false };
        var (before, _) = HessianSensitivity.Score(model, Layers(model), calibration, perTensor);
        var least = before.MinBy(s => s.Value).Key;

        // One weight 50x the layer's largest widens the per-tensor grid 50-fold: the error grows ~2500x while the layer's
        // input (its Hessian trace) is unchanged.
        var node = model.Graph.Node.Single(n => n.Name == least);
        var weight = model.Graph.Initializer.Single(t => t.Name == node.Input[1]);
        var values = TensorData.ToSingles(weight, model);
        values[0] = 50 * values.Max(Math.Abs);
        model.Graph.Initializer[model.Graph.Initializer.IndexOf(weight)] = TensorData.FromArray(weight.Name, weight.Dims.ToArray(), values.AsSpan());
        var (after, _) = HessianSensitivity.Score(model, Layers(model), calibration, perTensor);

        Assert.NotEqual(least, before.MaxBy(s => s.Value).Key);
        Assert.Equal(least, after.MaxBy(s => s.Value).Key);
    }

    [Fact]
    public void Mixed_precision_ranked_by_hessian_meets_the_target_cosine_on_the_digits_cnn()
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path(Cnn));
        var calibration = DigitsQuantization.Calibration(model, Cnn).Take(100);
        var free = MixedPrecision.Run(model, Hessian, calibration, null, 0);
        var target = Math.Min(1.0, free.Cosine + ((1 - free.Cosine) / 2));

        var result = MixedPrecision.Run(model, Hessian, calibration, target, null);

        Assert.True(result.TargetMet);
        Assert.True(result.Cosine >= target, $"{result.Cosine} < {target}");
        Assert.Contains(result.Layers, l => l.KeptFloat);
        Assert.Equal(result.Layers.TakeWhile(l => l.KeptFloat).Count(), result.Layers.Count(l => l.KeptFloat));
    }
}
