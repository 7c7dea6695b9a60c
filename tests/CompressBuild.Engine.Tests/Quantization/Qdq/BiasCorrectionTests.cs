using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization.Qdq;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Runtime;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Qdq;

public class BiasCorrectionTests
{
    [Fact]
    public void Bias_correction_removes_the_mean_shift_of_the_logits_without_adding_ops()
    {
        // Per-tensor weights quantize coarsely, so there is a visible mean shift to correct.
        var options = new QuantizationOptions { Mode = QuantizationMode.Int8Static, PerChannel = false, Calibration = Engine.Quantization.Calibration.CalibrationMethod.MinMax };
        var plain = DigitsQuantization.Quantize("cnn_residual.onnx", options);
        var corrected = DigitsQuantization.Quantize("cnn_residual.onnx", options with { BiasCorrection = true });

        Assert.Equal(plain.Model.Graph.Node.Select(n => n.OpType), corrected.Model.Graph.Node.Select(n => n.OpType));
        Assert.Contains(corrected.Nodes, n => n.Detail.EndsWith("bias corrected", StringComparison.Ordinal));
        var shiftPlain = MeanShift(plain.Model);
        var shiftCorrected = MeanShift(corrected.Model);
        Assert.True(shiftCorrected < shiftPlain, $"mean |shift| of the logits: {shiftPlain} without, {shiftCorrected} with correction");
        var accuracy = DigitsQuantization.CompareOnTestSet("cnn_residual.onnx", corrected.Model).Labelled!.Accuracy!;
        Assert.True(accuracy.Top1Drop <= 0.01);
    }

    /// <summary>Mean over the 10 logits of |mean(candidate) - mean(float)| on the calibration data.</summary>
    private static double MeanShift(OnnxModel candidate)
    {
        var reference = OnnxModelReader.Load(DigitsQuantization.Path("cnn_residual.onnx"));
        var data = DigitsQuantization.Calibration(reference, "cnn_residual.onnx");
        using var a = ModelSessions.Open(reference);
        using var b = ModelSessions.Open(candidate);
        var sums = new double[10];
        for (var i = 0; i < data.Count; i++)
        {
            var sample = data.Sample(i);
            var r = a.Run(sample)[0].AsSpan<float>();
            var c = b.Run(sample)[0].AsSpan<float>();
            for (var k = 0; k < 10; k++)
            {
                sums[k] += c[k] - r[k];
            }
        }

        return sums.Average(s => Math.Abs(s / data.Count));
    }
}
