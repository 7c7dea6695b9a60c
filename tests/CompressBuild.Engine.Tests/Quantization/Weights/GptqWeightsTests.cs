using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Weights;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization.Weights;

/// <summary>int8-static with <c>rounding: gptq</c> against round-to-nearest on the digits fixtures.</summary>
public sealed class GptqWeightsTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder folder = new();

    public static TheoryData<string> Digits() => new("cnn_residual.onnx", "cnn_concat_dw.onnx", "mlp.onnx", "transformer.onnx");

    [Theory]
    [MemberData(nameof(Digits))]
    public void Gptq_marks_its_layers_and_keeps_top1_within_half_a_point_of_nearests(string model)
    {
        var nearest = Run(model, WeightRounding.Nearest);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var gptq = Run(model, WeightRounding.Gptq);
        var elapsed = clock.Elapsed;

        var before = DigitsQuantization.CompareOnTestSet(model, nearest.Result.Model).Labelled!;
        var after = DigitsQuantization.CompareOnTestSet(model, gptq.Result.Model).Labelled!;
        output.WriteLine($"{model}: float {before.Accuracy!.ReferenceTop1:P2}, nearest {before.Accuracy.CandidateTop1:P2} ({before.SqnrDb:F2} dB), "
            + $"gptq {after.Accuracy!.CandidateTop1:P2} ({after.SqnrDb:F2} dB) in {elapsed.TotalSeconds:F1} s");
        Assert.Contains(gptq.Result.Nodes, n => n.Detail?.Contains("GPTQ", StringComparison.Ordinal) == true);
        Assert.True(after.Accuracy.CandidateTop1 >= before.Accuracy.CandidateTop1 - 0.005, $"gptq {after.Accuracy.CandidateTop1:P2}, nearest {before.Accuracy.CandidateTop1:P2}");
    }

    [Fact]
    public void Gptq_output_is_byte_for_byte_deterministic()
    {
        var one = Run("cnn_residual.onnx", WeightRounding.Gptq);
        var two = Run("cnn_residual.onnx", WeightRounding.Gptq);

        Assert.Equal(DigitsQuantization.Bytes(one.Result.Model, folder.File("a.onnx")), DigitsQuantization.Bytes(two.Result.Model, folder.File("b.onnx")));
    }

    public void Dispose() => folder.Dispose();

    private static QuantizationPassResult Run(string model, WeightRounding rounding) =>
        QuantizationPass.Run(OnnxModelReader.Load(DigitsQuantization.Path(model)), new QuantizationRequest(
            new QuantizationOptions { Rounding = rounding }, DigitsQuantization.Path(DigitsQuantization.IsImage(model) ? "calib_x_img.npy" : "calib_x_flat.npy")));
}
