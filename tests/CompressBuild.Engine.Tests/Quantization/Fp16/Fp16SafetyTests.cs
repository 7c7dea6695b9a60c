using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Fp16;

/// <summary>fp16 keeps float32 where float16 cannot hold a node's values, and converts inside control-flow bodies.</summary>
public class Fp16SafetyTests
{
    private const int Float = (int)TensorProto.Types.DataType.Float;

    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Fp16_keeps_the_text_detectors_huge_variance_batchnorm_float32_and_its_map_above_0_99_cosine_on_rendered_text()
    {
        using var temp = new TempFolder();
        var path = RealModels.Path(RealModels.PaddleOcrDetector);
        var model = OnnxModelReader.Load(path);

        var result = ModelQuantizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Fp16, Preprocess = false });

        // The head's first BatchNormalization has running variances near 1e8, infinite in float16.
        var batchNorm = result.Nodes.Single(n => n.Node == "p2o.BatchNormalization.1");
        Assert.False(batchNorm.Quantized);
        Assert.Contains("outside float16's range", batchNorm.Detail, StringComparison.Ordinal);
        Assert.Contains(result.Advisories, a => a.Code == "CB4056");
        Assert.True(result.Nodes.Count(n => n.Quantized) > 300, $"only {result.Nodes.Count(n => n.Quantized)} nodes converted");
        Assert.Equal(Float, result.Model.Graph.Initializer.Single(i => i.Name == "batch_norm_0.w_2").DataType);

        var images = OcrInputs.Render(temp.Path, "det", 2, seed: 11, height: 320, width: 320);
        var output = Compare(path, result.Model, images).Outputs.Single();
        Assert.True(output.Cosine >= 0.99, $"probability map cosine {output.Cosine:F6}");
    }

    [Fact]
    public void Fp16_keeps_nodes_whose_activations_leave_float16s_range_float32()
    {
        // x in [0, 1) -> *300 -> *400 (reaches about 1.2e5, beyond float16's 65504) -> *0.001 -> Relu. Every constant fits float16.
        var proto = TestModels.Empty();
        var graph = proto.Graph;
        graph.Input.Add(TestModels.Tensor("x", TensorProto.Types.DataType.Float, 1, 64));
        graph.Output.Add(TestModels.Tensor("y", TensorProto.Types.DataType.Float, 1, 64));
        graph.Initializer.Add(TensorData.FromArray<float>("a", [1], [300f]));
        graph.Initializer.Add(TensorData.FromArray<float>("b", [1], [400f]));
        graph.Initializer.Add(TensorData.FromArray<float>("c", [1], [0.001f]));
        graph.Node.Add(TestModels.Node("Mul", ["x", "a"], ["h1"], "scale_up"));
        graph.Node.Add(TestModels.Node("Mul", ["h1", "b"], ["h2"], "overflow"));
        graph.Node.Add(TestModels.Node("Mul", ["h2", "c"], ["h3"], "scale_down"));
        graph.Node.Add(TestModels.Node("Relu", ["h3"], ["y"], "relu"));
        var model = new OnnxModel(proto, Path.GetTempPath(), null);

        var result = ModelQuantizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Fp16 });

        Assert.True(result.Nodes.Single(n => n.Node == "scale_up").Quantized);
        Assert.True(result.Nodes.Single(n => n.Node == "relu").Quantized);
        foreach (var name in new[] { "overflow", "scale_down" })
        {
            var decision = result.Nodes.Single(n => n.Node == name);
            Assert.False(decision.Quantized);
            Assert.Contains("h2", decision.Detail, StringComparison.Ordinal);
        }

        using var reference = ModelSessions.Open(model);
        using var candidate = ModelSessions.Open(result.Model);
        var input = HostTensor.FromArray<float>("x", [1, 64], Enumerable.Range(0, 64).Select(i => i / 64f).ToArray());
        var expected = reference.Run([input])[0].AsSpan<float>().ToArray();
        var actual = candidate.Run([input])[0].AsSpan<float>().ToArray();
        Assert.All(actual, v => Assert.True(float.IsFinite(v)));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 0.01 * (1 + Math.Abs(expected[i])), $"y[{i}] = {actual[i]}, float32 gives {expected[i]}");
        }
    }

    [RealModelFact(RealModels.SileroVad)]
    public void Fp16_converts_the_lstm_and_convs_inside_silero_vads_if_branches_and_matches_float32()
    {
        var path = RealModels.Path(RealModels.SileroVad);
        var model = OnnxModelReader.Load(path);
        var speech = Speech(4);

        var result = ModelQuantizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Fp16 }, speech);

        Assert.Contains(result.Nodes, n => n.Quantized && n.OpType == "LSTM");
        Assert.Contains(result.Nodes, n => n.Quantized && n.OpType == "Conv");
        using var temp = new TempFolder();
        OnnxModelWriter.Save(result.Model, temp.File("vad16.onnx"), ModelSaveOptions.Default);
        var (exitCode, text) = OnnxChecker.Check(temp.File("vad16.onnx"));
        Assert.True(exitCode == 0, text);
        using var reference = ModelSessions.Open(path);
        using var candidate = ModelSessions.Open(result.Model);
        var comparison = ModelComparison.Run(reference, candidate, speech);
        Assert.All(comparison.Outputs, o => Assert.True(o.Cosine >= 0.999, $"{o.Name}: cosine {o.Cosine:F6}"));
    }

    private static ComparisonResult Compare(string referencePath, OnnxModel candidate, string data)
    {
        using var reference = ModelSessions.Open(referencePath);
        using var quantized = ModelSessions.Open(candidate);
        return ModelComparison.Run(reference, quantized, DatasetLoader.Open(data, reference.Inputs));
    }

    /// <summary>Voiced-speech-like frames: harmonics of a gliding pitch under a syllable envelope, 512 samples at 16 kHz.</summary>
    private static Dataset Speech(int count)
    {
        var samples = Enumerable.Range(0, count).Select(k =>
        {
            var frame = new float[512];
            for (var t = 0; t < frame.Length; t++)
            {
                var time = (t + (k * 512)) / 16000.0;
                var pitch = 120 + (40 * k) + (30 * time);
                var envelope = 0.5 + (0.5 * Math.Sin(2 * Math.PI * 4 * time));
                frame[t] = (float)(0.2 * envelope * (Math.Sin(2 * Math.PI * pitch * time) + (0.5 * Math.Sin(4 * Math.PI * pitch * time)) + (0.25 * Math.Sin(6 * Math.PI * pitch * time))));
            }

            return (IReadOnlyList<HostTensor>)
            [
                HostTensor.FromArray<float>("input", [1, 512], frame),
                HostTensor.FromArray<float>("state", [2, 1, 128], new float[256]),
                HostTensor.FromArray<long>("sr", [], [16000L]),
            ];
        }).ToList();
        return new Dataset("speech frames", samples.Count, i => samples[i]);
    }
}
