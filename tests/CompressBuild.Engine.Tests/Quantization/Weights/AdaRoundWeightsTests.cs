using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Weights;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization.Weights;

/// <summary>int8-static with <c>rounding: adaround</c> against round-to-nearest on the digits fixtures.</summary>
public sealed class AdaRoundWeightsTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder folder = new();

    public static TheoryData<string> Digits() => new("cnn_residual.onnx", "cnn_concat_dw.onnx", "mlp.onnx", "transformer.onnx");

    [Theory]
    [MemberData(nameof(Digits))]
    public void Adaround_keeps_top1_within_half_a_point_and_output_sqnr_within_one_db_of_nearests(string model)
    {
        var nearest = Run(model, WeightRounding.Nearest);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var adaround = Run(model, WeightRounding.AdaRound);
        var elapsed = clock.Elapsed;

        var before = DigitsQuantization.CompareOnTestSet(model, nearest.Result.Model).Labelled!;
        var after = DigitsQuantization.CompareOnTestSet(model, adaround.Result.Model).Labelled!;
        output.WriteLine($"{model}: float {before.Accuracy!.ReferenceTop1:P2}, nearest {before.Accuracy.CandidateTop1:P2} ({before.SqnrDb:F2} dB), "
            + $"adaround {after.Accuracy!.CandidateTop1:P2} ({after.SqnrDb:F2} dB) in {elapsed.TotalSeconds:F1} s");
        Assert.Contains(adaround.Result.Nodes, n => n.Detail?.Contains("AdaRound", StringComparison.Ordinal) == true);
        Assert.True(after.Accuracy.CandidateTop1 >= before.Accuracy.CandidateTop1 - 0.005, $"adaround {after.Accuracy.CandidateTop1:P2}, nearest {before.Accuracy.CandidateTop1:P2}");
        // Not "above": AdaRound lowers each layer's own output error (AdaRoundTests), but at the model's output it measured
        // 33.99-34.05 dB against 34.12 on the transformer once latency placement kept its float-fed Muls float, and 34.94
        // against 35.57 once weightless nodes with no quantized neighbour stayed float in the main graph too.
        Assert.True(after.SqnrDb > before.SqnrDb - 1.0, $"adaround {after.SqnrDb:F2} dB, nearest {before.SqnrDb:F2} dB");
    }

    [Fact]
    public void Adaround_output_is_byte_for_byte_deterministic()
    {
        var one = Run("cnn_residual.onnx", WeightRounding.AdaRound);
        var two = Run("cnn_residual.onnx", WeightRounding.AdaRound);

        Assert.Equal(DigitsQuantization.Bytes(one.Result.Model, folder.File("a.onnx")), DigitsQuantization.Bytes(two.Result.Model, folder.File("b.onnx")));
    }

    public void Dispose() => folder.Dispose();

    private static QuantizationPassResult Run(string model, WeightRounding rounding) =>
        QuantizationPass.Run(OnnxModelReader.Load(DigitsQuantization.Path(model)), new QuantizationRequest(
            new QuantizationOptions { Rounding = rounding }, DigitsQuantization.Path(DigitsQuantization.IsImage(model) ? "calib_x_img.npy" : "calib_x_flat.npy")));
}
