using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Fusion;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization;

/// <summary>
/// A realistic time-step model: Silero VAD v5's per-chunk graph (public weights) as the body of a Loop over the chunks of a
/// stream (tests/models/vad_loop.py, built by fetch.sh), so its Convs and LSTMs sit in If branches nested inside the Loop body.
/// Run over espeak-ng speech between pauses, 64 chunks per call with the state and context carried (<see cref="VadLoop"/>). The same
/// with a Scan instead of the Loop.
/// </summary>
public sealed class LoopModelQuantizationTests : IDisposable
{
    private readonly TempFolder folder = new();

    [RealModelFact(RealModels.SileroVad, RealModels.SileroVadLoop)]
    public void The_loop_model_gives_the_probabilities_of_silero_run_chunk_by_chunk()
    {
        var (frames, _) = VadAudio.Render(folder.Path, seconds: 6, seed: 7);

        var expected = VadAudio.Probabilities(RealModels.Path(RealModels.SileroVad), frames);
        var actual = VadLoop.Probabilities(RealModels.Path(RealModels.SileroVadLoop), frames);

        Assert.All(expected.Zip(actual), p => Assert.Equal(p.First, p.Second, 1e-5f));
    }

    [RealModelFact(RealModels.SileroVadLoop)]
    public void Int8_dynamic_quantizes_the_layers_inside_the_loop_body_and_keeps_the_speech_decisions()
    {
        var path = RealModels.Path(RealModels.SileroVadLoop);
        var result = ModelQuantizer.Quantize(OnnxModelReader.Load(path), new QuantizationOptions { Mode = QuantizationMode.Int8Dynamic });

        Assert.Equal(12, result.Nodes.Count(n => n.OpType == "Conv" && n.Quantized));
        Assert.Equal(4, result.Nodes.Count(n => n.OpType == "LSTM" && n.Quantized));
        var (ratio, agreement, frames) = SizeAndAgreement(path, result, "int8-dynamic");
        Assert.True(ratio >= 2.5, $"only {ratio:F2}x smaller");
        Assert.True(agreement >= 0.97, $"int8-dynamic agrees on {agreement:P2} of {frames} frames");
    }

    [RealModelFact(RealModels.SileroVadLoop)]
    public void Int8_static_calibrates_the_branches_inside_the_loop_body_and_the_fusion_report_counts_their_integer_kernels() =>
        QuantizeStaticAndCountFusion(RealModels.SileroVadLoop);

    [RealModelFact(RealModels.SileroVadScan)]
    public void Int8_static_calibrates_the_branches_inside_a_scan_body_and_the_fusion_report_counts_their_integer_kernels() =>
        QuantizeStaticAndCountFusion(RealModels.SileroVadScan);

    [RealModelFact(RealModels.SileroVad, RealModels.SileroVadScan)]
    public void The_scan_model_gives_the_probabilities_of_silero_run_chunk_by_chunk()
    {
        var (frames, _) = VadAudio.Render(folder.Path, seconds: 6, seed: 7);

        var expected = VadAudio.Probabilities(RealModels.Path(RealModels.SileroVad), frames);
        var actual = VadLoop.Probabilities(RealModels.Path(RealModels.SileroVadScan), frames);

        Assert.All(expected.Zip(actual), p => Assert.Equal(p.First, p.Second, 1e-5f));
    }

    /// <summary>
    /// int8-static calibrated on other speech (whole 64-chunk segments with the state and context the float model carries into them):
    /// QLinearConv in ONNX Runtime's optimized graph while every layer is in the body, the body's branches calibrated, >= 97% of the decisions.
    /// </summary>
    private void QuantizeStaticAndCountFusion(string model)
    {
        var path = RealModels.Path(model);
        var (calibrationFrames, _) = VadAudio.Render(folder.Path, seconds: 8, seed: 11);
        using var inputs = Engine.Runtime.ModelSessions.Open(path);
        var calibration = DatasetLoader.Open(VadLoop.WriteCalibration(path, calibrationFrames, folder.File("calibration"), every: 1), inputs.Inputs);

        var result = ModelQuantizer.Quantize(OnnxModelReader.Load(path), new QuantizationOptions { Mode = QuantizationMode.Int8Static }, calibration);
        var report = FusionAnalyzer.Analyze(result.Model, result.Nodes);

        // Every layer lives in the body's If branches: ONNX Runtime's optimized model (bodies saved too) runs QLinearConv there, and the
        // report counts them.
        Assert.DoesNotContain(result.Model.Graph.Node, n => n.OpType is "Conv" or "QuantizeLinear" or "DequantizeLinear");
        var optimizedPath = folder.File(model + "-optimized.onnx");
        using (Engine.Runtime.ModelSessions.Open(result.Model, Engine.Runtime.SessionSettings.Default with { OptimizedModelPath = optimizedPath, IntraOpThreads = 1 }))
        {
        }

        var optimized = OnnxModelReader.Load(optimizedPath).Graph;
        var stream = optimized.Node.Single(n => n.OpType is "Loop" or "Scan");
        var inBody = Subgraphs.AllNodes(NodeAttributes.Graph(stream, "body")!).Count(n => n.OpType == "QLinearConv");
        Assert.DoesNotContain(optimized.Node, n => n.OpType == "QLinearConv");
        Assert.True(inBody >= 4, $"{inBody} QLinearConv inside the body");
        Assert.Equal(inBody, report.IntegerKernels.SingleOrDefault(c => c.OpType == "QLinearConv")?.Count);
        // The 16 kHz branch (the one the data takes) is calibrated; only the 8 kHz branch and the LSTMs keep float compute.
        var uncalibrated = result.Advisories.Where(a => a.Code == DiagnosticCodes.SubgraphNotCalibrated.Id).Select(a => a.Message).ToList();
        Assert.DoesNotContain(uncalibrated, m => m.Contains("nested inside the body", StringComparison.Ordinal));
        // Quantized nodes inside the body are judged as the main graph's (the decoder's Sigmoid, read by two nodes, does not fuse);
        // the never-taken branch's weight-only float compute is CB4029's, not an unfused node.
        Assert.NotEmpty(report.Unfused);
        Assert.All(report.Unfused, u => Assert.Contains("then_branch", u.Node, StringComparison.Ordinal));
        // The LSTMs compute in float from int8 W and R read through Cast and Mul (folded at load), not a DequantizeLinear run on every chunk.
        Assert.All(result.Nodes.Where(n => n.OpType == "LSTM"), n => Assert.Contains("through Cast and Mul", n.Detail, StringComparison.Ordinal));
        var (ratio, agreement, frames) = SizeAndAgreement(path, result, model + "-int8-static");
        Assert.True(ratio >= 3.3, $"only {ratio:F2}x smaller");
        Assert.True(agreement >= 0.97, $"int8-static agrees on {agreement:P2} of {frames} frames");
        AssertEveryOutputMeetsTheDefaultFloors(path, result);
    }

    /// <summary>
    /// verify's default fidelity floors on every output, the LSTM state returned after 64 chunks included, over 9 segments of other speech
    /// (the 20 s of <see cref="SizeAndAgreement"/>), each the start of a stream. The state kept cosine 0.966 (11.7 dB) while int8-static
    /// rounded it to 8 bits on every chunk (the state's Unsqueeze/Concat Q/DQ pairs); float (<c>RecurrentState</c>), 0.990 (16.7 dB).
    /// </summary>
    private void AssertEveryOutputMeetsTheDefaultFloors(string path, QuantizationResult result)
    {
        var (frames, _) = VadAudio.Render(folder.Path, seconds: 20, seed: 7);
        using var reference = Engine.Runtime.ModelSessions.Open(path, Engine.Runtime.SessionSettings.Default with { IntraOpThreads = 1 });
        using var candidate = Engine.Runtime.ModelSessions.Open(result.Model, Engine.Runtime.SessionSettings.Default with { IntraOpThreads = 1 });
        var segments = DatasetLoader.Open(VadLoop.WriteSegments(frames, folder.File("segments"), frames.Length / VadLoop.Segment), reference.Inputs);

        var metrics = Engine.Evaluation.Metrics.ModelComparison.Run(reference, candidate, segments);

        Assert.Contains(metrics.Outputs, o => o.Name == "stateN");
        var missed = Engine.Budgets.FidelityFloors.Evaluate(new Engine.Budgets.BudgetSet(), metrics).Where(c => c.Status == Engine.Budgets.BudgetStatus.Failed);
        Assert.True(!missed.Any(), string.Join("; ", missed.Select(c => c.Message)));
    }

    /// <summary>The size ratio, and the share of speech/non-speech decisions kept over 20 s of speech between pauses.</summary>
    private (double Ratio, double Agreement, int Frames) SizeAndAgreement(string path, QuantizationResult result, string name)
    {
        var saved = folder.File(name + ".onnx");
        OnnxModelWriter.Save(result.Model, saved, ModelSaveOptions.Default);
        var (frames, _) = VadAudio.Render(folder.Path, seconds: 20, seed: 7);
        var reference = VadLoop.Probabilities(path, frames);
        var candidate = VadLoop.Probabilities(saved, frames);
        var agreement = Enumerable.Range(0, frames.Length).Count(i => reference[i] >= VadAudio.Threshold == candidate[i] >= VadAudio.Threshold) / (double)frames.Length;
        return ((double)new FileInfo(path).Length / new FileInfo(saved).Length, agreement, frames.Length);
    }

    public void Dispose() => folder.Dispose();
}
