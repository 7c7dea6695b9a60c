using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization;

/// <summary>Silero VAD v5 (public): its Conv and LSTM layers sit inside If branches (one per sample rate).</summary>
public sealed class SubgraphQuantizationTests : IDisposable
{
    private readonly TempFolder folder = new();

    [RealModelFact(RealModels.SileroVad)]
    public void Int8_dynamic_quantizes_the_convs_inside_if_branches_and_the_model_still_loads()
    {
        var path = RealModels.Path(RealModels.SileroVad);
        var result = ModelQuantizer.Quantize(OnnxModelReader.Load(path), new QuantizationOptions { Mode = QuantizationMode.Int8Dynamic });

        var saved = folder.File("vad.onnx");
        OnnxModelWriter.Save(result.Model, saved, ModelSaveOptions.Default);
        Assert.Equal(12, result.Nodes.Count(n => n.OpType == "Conv" && n.Quantized));
        var ratio = (double)new FileInfo(path).Length / new FileInfo(saved).Length;
        Assert.True(ratio >= 1.5, $"only {ratio:F2}x smaller");
        using var session = ModelSessions.Open(saved);
        Assert.Equal(["input", "state", "sr"], session.Inputs.Select(i => i.Name));
    }

    [RealModelFact(RealModels.SileroVad)]
    public void Int8_dynamic_quantizes_the_lstms_in_nested_branches_and_keeps_the_speech_decisions() => QuantizeAndCompareDecisions(RealModels.SileroVad);

    [RealModelFact(RealModels.SileroVadOpset15)]
    public void Int8_dynamic_quantizes_the_opset_15_export_and_keeps_the_speech_decisions() => QuantizeAndCompareDecisions(RealModels.SileroVadOpset15);

    [RealModelFact(RealModels.SileroVadOpset15)]
    public void Fp16_of_the_opset_15_export_whose_branch_outputs_are_untyped_loads_and_keeps_the_speech_decisions()
    {
        var path = RealModels.Path(RealModels.SileroVadOpset15);
        var result = ModelQuantizer.Quantize(OnnxModelReader.Load(path), new QuantizationOptions { Mode = QuantizationMode.Fp16 });
        var saved = folder.File("op15.fp16.onnx");
        OnnxModelWriter.Save(result.Model, saved, ModelSaveOptions.Default);
        var (frames, _) = VadAudio.Render(folder.Path, seconds: 20, seed: 7);

        var reference = VadAudio.Probabilities(path, frames);
        var candidate = VadAudio.Probabilities(saved, frames);

        var agreement = Enumerable.Range(0, frames.Length).Count(i => reference[i] >= VadAudio.Threshold == candidate[i] >= VadAudio.Threshold) / (double)frames.Length;
        Assert.True(agreement >= 0.97, $"fp16 agrees on {agreement:P2} of {frames.Length} frames");
    }

    /// <summary>
    /// At least 2.5x smaller with every Conv and LSTM quantized, and 97% of the speech/non-speech decisions of the float
    /// model kept over 30 s of espeak-ng speech between pauses, run frame by frame as Silero does; the float model
    /// must find the speech and not the pauses, so that agreement is measured on real decisions.
    /// </summary>
    private void QuantizeAndCompareDecisions(string model)
    {
        var path = RealModels.Path(model);
        var result = ModelQuantizer.Quantize(OnnxModelReader.Load(path), new QuantizationOptions { Mode = QuantizationMode.Int8Dynamic });
        var saved = folder.File(model + ".int8.onnx");
        OnnxModelWriter.Save(result.Model, saved, ModelSaveOptions.Default);
        var (frames, labels) = VadAudio.Render(folder.Path, seconds: 30, seed: 7);

        var reference = VadAudio.Probabilities(path, frames);
        var candidate = VadAudio.Probabilities(saved, frames);

        Assert.All(result.Nodes.Where(n => n.OpType is "LSTM" or "Conv"), n => Assert.True(n.Quantized, $"{n.Node}: {n.Detail}"));
        var ratio = (double)new FileInfo(path).Length / new FileInfo(saved).Length;
        Assert.True(ratio >= 2.5, $"only {ratio:F2}x smaller");
        var speech = reference.Select(p => p >= VadAudio.Threshold).ToArray();
        var recall = Enumerable.Range(0, frames.Length).Count(i => labels[i] == 1 && speech[i]) / (double)labels.Count(l => l == 1);
        var falseAlarms = Enumerable.Range(0, frames.Length).Count(i => labels[i] == 0 && speech[i]) / (double)labels.Count(l => l == 0);
        Assert.True(recall >= 0.7 && falseAlarms <= 0.05, $"the float model finds {recall:P1} of the spoken frames and {falseAlarms:P1} of the pauses: is the audio real speech?");
        var agreement = Enumerable.Range(0, frames.Length).Count(i => speech[i] == candidate[i] >= VadAudio.Threshold) / (double)frames.Length;
        Assert.True(agreement >= 0.97, $"int8-dynamic agrees on {agreement:P2} of {frames.Length} frames");
    }

    public void Dispose() => folder.Dispose();
}
