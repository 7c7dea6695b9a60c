using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Runtime;
using CompressBuild.Engine.Tests.Quantization.Calibration;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Qdq;

/// <summary>
/// int8-static on Silero VAD v5 (public), whose Conv and LSTM layers sit inside If branches (16 kHz and 8 kHz), calibrated
/// on 16 kHz espeak-ng speech with the states the float model carries from frame to frame, as Silero's wrapper feeds them.
/// </summary>
public sealed class SubgraphQdqTests : IDisposable
{
    private readonly TempFolder folder = new();

    [RealModelFact(RealModels.SileroVad)]
    public void Int8_static_puts_qdq_on_the_convs_of_the_16khz_branch_and_keeps_97_percent_of_the_speech_decisions()
    {
        var path = RealModels.Path(RealModels.SileroVad);
        var calibration = Calibration(path, seconds: 8, seed: 11, every: 4);
        var result = ModelQuantizer.Quantize(OnnxModelReader.Load(path), new QuantizationOptions { Mode = QuantizationMode.Int8Static }, calibration);
        var saved = folder.File("vad.int8-static.onnx");
        OnnxModelWriter.Save(result.Model, saved, ModelSaveOptions.Default);

        var written = OnnxModelReader.Load(saved);
        var sixteen = written.Graph.Node.Single(n => n.OpType == "If").Attribute.Single(a => a.Name == "then_branch").G;
        var eight = written.Graph.Node.Single(n => n.OpType == "If").Attribute.Single(a => a.Name == "else_branch").G;
        Assert.True(QdqConvs(sixteen) >= 4, $"{QdqConvs(sixteen)} Conv(s) of the 16 kHz branch read quantized activations and weights");
        Assert.Equal(0, QdqConvs(eight));
        Assert.Contains(result.Advisories, a => a.Code == DiagnosticCodes.SubgraphNotCalibrated.Id && a.Message.Contains("never taken", StringComparison.Ordinal));

        var (frames, _) = VadAudio.Render(folder.Path, seconds: 20, seed: 7);
        var agreement = Agreement(VadAudio.Probabilities(path, frames), VadAudio.Probabilities(saved, frames));
        Assert.True(agreement >= 0.97, $"int8-static agrees on {agreement:P2} of {frames.Length} frames");
    }

    /// <summary>
    /// The opset-15 export keeps its STFT and encoder Convs in the main graph. It agreed on 88.88% of the decisions while the
    /// STFT's power-spectrum Add (no quantized neighbour) was quantized there, and was 2.26x smaller while the STFT Conv
    /// (1 input channel, kept float for speed) stored float weights; 98.82% and 3.63x on these 20 s when measured.
    /// </summary>
    [RealModelFact(RealModels.SileroVadOpset15)]
    public void Int8_static_on_the_opset_15_export_leaves_the_isolated_power_spectrum_add_float_and_keeps_98_5_percent_of_the_decisions_at_3_5x_smaller()
    {
        var path = RealModels.Path(RealModels.SileroVadOpset15);
        var calibration = Calibration(path, seconds: 8, seed: 11, every: 4);
        var result = ModelQuantizer.Quantize(OnnxModelReader.Load(path), new QuantizationOptions { Mode = QuantizationMode.Int8Static }, calibration);
        var saved = folder.File("vad-op15.int8-static.onnx");
        OnnxModelWriter.Save(result.Model, saved, ModelSaveOptions.Default);

        var graph = OnnxModelReader.Load(path).Graph;
        var squares = graph.Node.Where(n => n.OpType == "Pow").Select(n => n.Output[0]).ToHashSet(StringComparer.Ordinal);
        var power = graph.Node.Single(n => n.OpType == "Add" && n.Input.All(squares.Contains));
        Assert.Contains(result.Nodes, n => n.Node == power.Name && !n.Quantized && n.Detail.StartsWith("nothing it reads from", StringComparison.Ordinal));
        var stft = result.Nodes.Single(n => n.OpType == "Conv" && !n.Quantized);
        Assert.Contains("int8 weights per output channel through Cast and Mul", stft.Detail, StringComparison.Ordinal);
        var ratio = new FileInfo(path).Length / (double)new FileInfo(saved).Length;
        Assert.True(ratio >= 3.5, $"{ratio:F2}x smaller");

        var (frames, _) = VadAudio.Render(folder.Path, seconds: 20, seed: 7);
        var agreement = Agreement(VadAudio.Probabilities(path, frames), VadAudio.Probabilities(saved, frames));
        Assert.True(agreement >= 0.985, $"int8-static agrees on {agreement:P2} of {frames.Length} frames");
    }

    [Fact]
    public void Int8_static_quantizes_the_branch_taken_and_the_loop_body_and_stores_int8_weights_in_the_branch_it_cannot_calibrate()
    {
        var model = BranchModels.Create();
        var result = ModelQuantizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Int8Static }, BranchModels.Samples(32, seed: 1));

        string Detail(string node) => result.Nodes.Single(n => n.Node == node && n.Quantized).Detail;
        Assert.StartsWith("per-channel weights", Detail("wide_mm"), StringComparison.Ordinal);
        Assert.StartsWith("weights only (float compute)", Detail("narrow_mm"), StringComparison.Ordinal);
        // The Loop body's values are calibrated as stacked outputs of the calibration copy: its MatMuls get QDQ like the main graph's.
        Assert.StartsWith("per-channel weights", Detail("loop_mm"), StringComparison.Ordinal);
        Assert.NotEmpty(Detail("outer_mm"));
        var loopBody = result.Model.Graph.Node.Single(n => n.OpType == "Loop").Attribute.Single(a => a.Name == "body").G;
        Assert.Contains(loopBody.Node, n => n.OpType == "QuantizeLinear");
        var uncalibrated = result.Advisories.Where(a => a.Code == DiagnosticCodes.SubgraphNotCalibrated.Id).Select(a => a.Message).ToList();
        Assert.Contains(uncalibrated, m => m.Contains("never taken", StringComparison.Ordinal));
        Assert.DoesNotContain(uncalibrated, m => m.Contains("Loop", StringComparison.Ordinal));

        var test = BranchModels.Samples(8, seed: 2);
        using var reference = ModelSessions.Open(model);
        using var candidate = ModelSessions.Open(result.Model);
        for (var s = 0; s < test.Count; s++)
        {
            var expected = reference.Run(test.Sample(s), ["y"])[0].AsSpan<float>().ToArray();
            var actual = candidate.Run(test.Sample(s), ["y"])[0].AsSpan<float>().ToArray();
            var cosine = expected.Zip(actual).Sum(p => (double)p.First * p.Second) / Math.Sqrt(expected.Sum(v => (double)v * v) * actual.Sum(v => (double)v * v));
            Assert.True(cosine >= 0.99, $"sample {s}: cosine {cosine:F4}");
        }
    }

    /// <summary>Convs of the graph whose data and weight inputs both come from DequantizeLinear nodes (what ONNX Runtime fuses into QLinearConv).</summary>
    private static int QdqConvs(GraphProto graph)
    {
        var dequantized = graph.Node.Where(n => n.OpType == "DequantizeLinear").Select(n => n.Output[0]).ToHashSet(StringComparer.Ordinal);
        return graph.Node.Count(n => n.OpType == "Conv" && dequantized.Contains(n.Input[0]) && dequantized.Contains(n.Input[1]));
    }

    /// <summary>The share of frames on which both models make the same speech decision.</summary>
    private static double Agreement(float[] reference, float[] candidate) =>
        Enumerable.Range(0, reference.Length).Count(i => reference[i] >= VadAudio.Threshold == candidate[i] >= VadAudio.Threshold) / (double)reference.Length;

    private Dataset Calibration(string path, double seconds, int seed, int every)
    {
        var (frames, _) = VadAudio.Render(folder.Path, seconds, seed);
        using var session = ModelSessions.Open(path);
        return DatasetLoader.Open(VadAudio.WriteCalibration(path, frames, folder.File("calibration"), every), session.Inputs);
    }

    public void Dispose() => folder.Dispose();
}
