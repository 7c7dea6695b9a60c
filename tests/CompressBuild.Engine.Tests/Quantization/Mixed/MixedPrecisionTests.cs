using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization.Mixed;
using CompressBuild.Engine.Quantization;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Mixed;

public class MixedPrecisionTests
{
    private static MixedPrecisionResult Run(string modelName, QuantizationMode mode, double? target, int? top)
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path(modelName));
        return MixedPrecision.Run(model, new QuantizationOptions { Mode = mode, LatencyPlacement = false }, DigitsQuantization.Calibration(model, modelName).Take(100), target, top);
    }

    [Fact]
    public void Keep_float_top_k_leaves_the_k_most_sensitive_layers_float()
    {
        var result = Run("cnn_residual.onnx", QuantizationMode.Int8Static, null, 2);

        Assert.Equal(7, result.Layers.Count);
        Assert.Equal(result.Layers.OrderBy(l => l.Cosine).Select(l => l.Node), result.Layers.Select(l => l.Node));
        var kept = result.Layers.Where(l => l.KeptFloat).Select(l => l.Node).ToList();
        Assert.Equal(result.Layers.Take(2).Select(l => l.Node), kept);
        Assert.All(kept, k => Assert.False(result.Quantization.Nodes.Single(n => n.Node == k).Quantized));
        Assert.Equal(5, result.Quantization.Nodes.Count(n => n.Quantized && n.OpType is "Conv" or "Gemm"));
        // Each layer quantized alone barely moves a trained model's outputs; a much lower figure is a placement bug.
        Assert.All(result.Layers, l => Assert.True(l.Cosine > 0.99, $"{l.Node}: {l.Cosine}"));
    }

    [Fact]
    public void A_reachable_target_keeps_as_few_layers_float_as_needed()
    {
        var loose = Run("mlp.onnx", QuantizationMode.Int8Dynamic, 0.5, null);
        var strict = Run("mlp.onnx", QuantizationMode.Int8Dynamic, 1.0, null);

        Assert.True(loose.TargetMet);
        Assert.DoesNotContain(loose.Layers, l => l.KeptFloat);
        Assert.True(strict.TargetMet);
        Assert.All(strict.Layers, l => Assert.True(l.KeptFloat));
        Assert.Equal(1.0, strict.Cosine);
    }

    [Fact]
    public void The_target_is_met_with_the_layers_it_reports()
    {
        var free = Run("cnn_residual.onnx", QuantizationMode.Int8Static, null, 0);
        var target = Math.Min(1.0, free.Cosine + ((1 - free.Cosine) / 2));

        var result = Run("cnn_residual.onnx", QuantizationMode.Int8Static, target, null);

        Assert.True(result.TargetMet);
        Assert.True(result.Cosine >= target, $"{result.Cosine} < {target}");
        Assert.Contains(result.Layers, l => l.KeptFloat);
    }
}
