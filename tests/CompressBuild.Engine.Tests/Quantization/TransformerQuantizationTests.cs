using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization;

/// <summary>The MatMul-heavy fixture (a two-block transformer encoder, opset 14): attention, decomposed LayerNorm, shape arithmetic.</summary>
public class TransformerQuantizationTests(ITestOutputHelper output)
{
    private const string Model = "transformer.onnx";

    [Fact]
    public void The_fixture_matches_its_pytorch_outputs()
    {
        using var session = ModelSessions.Open(DigitsQuantization.Path(Model));
        var data = DatasetLoader.Open(DigitsQuantization.Path("transformer_test_data"), session.Inputs);
        var expected = HostTensor.FromProto(TensorProto.Parser.ParseFrom(File.ReadAllBytes(DigitsQuantization.Path("transformer_test_data/test_data_set_0/output_0.pb"))));

        var actual = session.Run(data.Sample(0))[0].AsSpan<float>().ToArray();

        Assert.All(actual.Zip(expected.AsSpan<float>().ToArray()), p => Assert.Equal(p.Second, p.First, 1e-4f));
    }

    [Theory]
    [InlineData(QuantizationMode.Int8Static, 0.01)]
    [InlineData(QuantizationMode.Int8Dynamic, 0.01)]
    [InlineData(QuantizationMode.Int4Weight, 0.02)]
    [InlineData(QuantizationMode.Int8Weight, 0.01)]
    [InlineData(QuantizationMode.Fp16, 0.001)]
    public void Every_mode_keeps_top1_within_its_budget(QuantizationMode mode, double budget)
    {
        using var temp = new TempFolder();
        var result = DigitsQuantization.Quantize(Model, new QuantizationOptions { Mode = mode });

        var comparison = DigitsQuantization.CompareOnTestSet(Model, result.Model);

        var accuracy = comparison.Labelled!.Accuracy!;
        output.WriteLine($"{mode}: {accuracy.ReferenceTop1:P2} -> {accuracy.CandidateTop1:P2}, cosine {comparison.Labelled.Cosine:F5}, {result.QuantizedCount} nodes quantized");
        Assert.True(accuracy.Top1Drop <= budget, $"top-1 dropped {accuracy.Top1Drop:P2}");
        Assert.Contains(result.Nodes, n => n.Quantized && n.OpType == "MatMul");
        if (mode is QuantizationMode.Int8Static or QuantizationMode.Fp16)
        {
            var path = temp.File("q.onnx");
            OnnxModelWriter.Save(result.Model, path, ModelSaveOptions.Default);
            var (exitCode, text) = DigitsQuantization.OnnxCheck(path);
            Assert.True(exitCode == 0, text);
        }
    }

    [Fact]
    public void Int4_stores_the_matmul_weights_at_least_6x_smaller()
    {
        var source = OnnxModelReader.Load(DigitsQuantization.Path(Model));
        var index = GraphIndex.Build(source.Graph);
        var result = DigitsQuantization.Quantize(Model, new QuantizationOptions { Mode = QuantizationMode.Int4Weight });
        var rewritten = result.Nodes.Where(n => n.Quantized).Select(n => n.Node).ToHashSet(StringComparer.Ordinal);
        var floatBytes = source.Graph.Node.Where(n => rewritten.Contains(n.Name))
            .Sum(n => index.TryGetConstant(n.Input[1], out var w) ? TensorData.RawByteCount(w) : 0);

        var nbits = result.Model.Graph.Node.Where(n => n.OpType == "MatMulNBits").ToList();
        var quantizedInputs = nbits.SelectMany(n => n.Input.Skip(1)).ToHashSet(StringComparer.Ordinal);
        var quantizedBytes = result.Model.Graph.Initializer.Where(i => quantizedInputs.Contains(i.Name)).Sum(i => (long)i.RawData.Length);

        Assert.True(nbits.Count >= 12, $"{nbits.Count} MatMulNBits");
        Assert.True(floatBytes >= 6.0 * quantizedBytes, $"{floatBytes} -> {quantizedBytes} bytes ({(double)floatBytes / quantizedBytes:F2}x)");
    }

    [Fact]
    public void Static_quantizes_attention_matmuls_between_activations()
    {
        var result = DigitsQuantization.Quantize(Model, new QuantizationOptions { Mode = QuantizationMode.Int8Static });

        var scores = result.Model.Graph.Node.Single(n => n.Name == "/blocks.0/MatMul");
        var producers = result.Model.Graph.Node.Where(n => scores.Input.Contains(n.Output[0])).Select(n => n.OpType).ToList();
        Assert.Equal(["DequantizeLinear", "DequantizeLinear"], producers);
    }
}
