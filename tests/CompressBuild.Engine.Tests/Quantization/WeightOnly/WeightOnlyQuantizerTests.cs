using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization.WeightOnly;
using CompressBuild.Engine.Quantization;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization.WeightOnly;

public class WeightOnlyQuantizerTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(QuantizationMode.Int4Weight, 32, true, 0.02)]
    [InlineData(QuantizationMode.Int4Weight, 64, false, 0.02)]
    [InlineData(QuantizationMode.Int4Weight, 128, true, 0.02)]
    [InlineData(QuantizationMode.Int8Weight, 32, true, 0.01)]
    [InlineData(QuantizationMode.Int8Weight, 128, false, 0.01)]
    public void Weight_only_keeps_top1_within_budget_on_the_matmul_model(QuantizationMode mode, int blockSize, bool symmetric, double budget)
    {
        var result = DigitsQuantization.Quantize("mlp.onnx", new QuantizationOptions { Mode = mode, BlockSize = blockSize, BlockSymmetric = symmetric, AccuracyLevel = 4 });

        var comparison = DigitsQuantization.CompareOnTestSet("mlp.onnx", result.Model);

        var accuracy = comparison.Labelled!.Accuracy!;
        output.WriteLine($"{mode} block {blockSize} {(symmetric ? "sym" : "asym")}: {accuracy.ReferenceTop1:P2} -> {accuracy.CandidateTop1:P2}, cosine {comparison.Labelled.Cosine:F4}");
        Assert.True(accuracy.Top1Drop <= budget, $"top-1 dropped {accuracy.Top1Drop:P2}");
        Assert.True(comparison.Labelled.Cosine > 0.99, $"cosine {comparison.Labelled.Cosine}");
        Assert.Equal(3, result.Model.Graph.Node.Count(n => n.OpType == "MatMulNBits" && n.Domain == "com.microsoft"));
    }

    [Fact]
    public void Int4_stores_matmul_weights_at_least_6x_smaller()
    {
        var source = OnnxModelReader.Load(DigitsQuantization.Path("mlp.onnx"));
        var floatBytes = source.Graph.Initializer.Where(i => i.Name.EndsWith(".weight", StringComparison.Ordinal)).Sum(i => i.RawData.Length);

        var result = DigitsQuantization.Quantize("mlp.onnx", new QuantizationOptions { Mode = QuantizationMode.Int4Weight });

        var weightInputs = result.Model.Graph.Node.Where(n => n.OpType == "MatMulNBits").SelectMany(n => n.Input.Skip(1)).ToHashSet(StringComparer.Ordinal);
        var quantizedBytes = result.Model.Graph.Initializer.Where(i => weightInputs.Contains(i.Name)).Sum(i => i.RawData.Length);
        Assert.True(floatBytes >= 6.0 * quantizedBytes, $"{floatBytes} -> {quantizedBytes} bytes ({(double)floatBytes / quantizedBytes:F2}x)");
    }

    [Fact]
    public void Packing_puts_the_first_code_in_the_low_nibble_and_zero_points_per_column()
    {
        // K = 4, N = 1, block 4: codes for symmetric 4-bit are round(w / (max|w| / 7)) + 8.
        float[] weights = [7f, -7f, 0f, 3.5f];

        var symmetric = BlockQuantization.Quantize(weights, 4, 1, 4, 4, symmetric: true);
        var asymmetric = BlockQuantization.Quantize(weights, 4, 1, 4, 4, symmetric: false);

        Assert.Equal([(byte)(15 | (1 << 4)), (byte)(8 | (12 << 4))], symmetric.Packed);
        Assert.Equal(1f, symmetric.Scales[0]);
        Assert.Null(symmetric.ZeroPoints);
        Assert.Equal(14f / 15, asymmetric.Scales[0], 6);
        Assert.Equal([(byte)8], asymmetric.ZeroPoints!);
    }

    [Fact]
    public void Output_of_int8_weight_is_deterministic()
    {
        using var temp = new TempFolder();
        var options = new QuantizationOptions { Mode = QuantizationMode.Int8Weight, BlockSymmetric = false };

        var first = DigitsQuantization.Bytes(DigitsQuantization.Quantize("mlp_opset11_constants.onnx", options).Model, temp.File("a.onnx"));
        var second = DigitsQuantization.Bytes(DigitsQuantization.Quantize("mlp_opset11_constants.onnx", options).Model, temp.File("b.onnx"));

        Assert.Equal(first, second);
        Assert.DoesNotContain(OnnxModelReader.Load(temp.File("a.onnx")).Graph.Node, n => n.OpType == "Gemm");
    }
}
