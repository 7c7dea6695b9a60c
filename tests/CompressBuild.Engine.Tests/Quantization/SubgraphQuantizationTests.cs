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

    public void Dispose() => folder.Dispose();
}
