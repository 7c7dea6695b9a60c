using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Mixed;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization.Mixed;

/// <summary>
/// hessian-noise against the loss each layer causes when quantized alone (int4-weight, 1 - output cosine on the 497
/// held-out digits samples): its ranking must agree with the measured one (Spearman rho), and better than HAWQ-V3's trace
/// score computed from the same capture.
/// </summary>
public class HessianNoiseTests(ITestOutputHelper output)
{
    private const string Cnn = "cnn_residual.onnx";

    [Fact]
    public void Hessian_noise_ranks_the_digits_cnn_int4_layers_as_the_measured_loss_does_better_than_the_trace_score()
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path(Cnn));
        var calibration = DigitsQuantization.Calibration(model, Cnn).Take(100);
        var options = new QuantizationOptions { Mode = QuantizationMode.Int4Weight };
        var prepared = ModelQuantizer.Quantize(model, options).Preprocessing?.Model ?? model;
        var layers = model.Graph.Node.Where(n => n.OpType is "Conv" or "Gemm" or "MatMul").Select(n => n.Name).ToList();

        var (noise, _) = HessianSensitivity.Score(prepared, layers, calibration, options with { Sensitivity = SensitivityMethod.HessianNoise });
        var (trace, _) = HessianSensitivity.Score(prepared, layers, calibration, options with { Sensitivity = SensitivityMethod.Hessian });
        var measured = layers.Select(layer =>
        {
            var alone = ModelQuantizer.Quantize(model, options with { ExcludeNodes = [.. layers.Where(l => l != layer)] });
            return 1 - DigitsQuantization.CompareOnTestSet(Cnn, alone.Model).Outputs.Min(o => o.Cosine);
        }).ToList();

        var noiseRho = RankCorrelation.Spearman(layers.Select(l => noise[l]).ToList(), measured);
        var traceRho = RankCorrelation.Spearman(layers.Select(l => trace[l]).ToList(), measured);
        output.WriteLine($"{layers.Count} layers: Spearman hessian-noise {noiseRho:F3}, hessian (trace) {traceRho:F3}");
        Assert.Equal(layers.Count, noise.Count);
        // Measured 0.429 (trace -0.750); the floor leaves room for ONNX Runtime builds that round differently.
        Assert.True(noiseRho >= 0.3, $"hessian-noise rho {noiseRho:F3}");
        Assert.True(noiseRho > traceRho, $"hessian-noise rho {noiseRho:F3}, trace rho {traceRho:F3}");
    }
}
