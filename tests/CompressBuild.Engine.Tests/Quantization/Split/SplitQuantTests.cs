using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Split;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization.Split;

public class SplitQuantTests(ITestOutputHelper output)
{
    [Fact]
    public void Kmeans_thresholds_put_the_outliers_of_each_side_in_their_own_cluster()
    {
        float[] weights = [-4f, -3.8f, -0.2f, -0.1f, 0f, 0.1f, 0.15f, 0.2f, 5f];

        var thresholds = WeightClusters.Thresholds(weights)!.Value;

        Assert.Equal([0, 0, 1, 1, 1, 1, 1, 1, 2], weights.Select(w => WeightClusters.Of(w, thresholds)));
    }

    [Fact]
    public void Kmeans_gives_no_split_when_a_cluster_would_be_empty()
    {
        Assert.Null(WeightClusters.Thresholds([1f, 1f, 1f, 1f]));
        Assert.Null(WeightClusters.Thresholds([0f, 1f]));
    }

    [Fact]
    public void Split_raises_the_digits_transformer_int4_weight_sqnr_at_block_size_32()
    {
        var (plain, split) = (Measure("transformer.onnx", 32, false, false), Measure("transformer.onnx", 32, true, false));

        // Measured 25.01 -> 26.30 dB. MatMulNBits' blocks already give every 32 weights their own scale, so the gain is small.
        Assert.True(split >= plain + 1, $"plain {plain:F2} dB, split {split:F2} dB");
    }

    /// <summary>The figures of the README's SplitQuant row; asserts only what every row must show (the CB4059 size advisory).</summary>
    [Theory]
    [InlineData("mlp.onnx", 32)]
    [InlineData("transformer.onnx", 32)]
    [InlineData("mlp.onnx", 128)]
    [InlineData("transformer.onnx", 128)]
    public void Split_int4_weight_is_measured_with_and_without_gptq_on_the_digits_test_set(string fixture, int blockSize)
    {
        foreach (var (split, gptq) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            Measure(fixture, blockSize, split, gptq);
        }
    }

    private double Measure(string fixture, int blockSize, bool split, bool gptq)
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path(fixture));
        var options = new QuantizationOptions { Mode = QuantizationMode.Int4Weight, BlockSize = blockSize, Split = split };
        var result = ModelQuantizer.Quantize(model, options, gptq ? DigitsQuantization.Calibration(model, fixture) : null);
        var metrics = DigitsQuantization.CompareOnTestSet(fixture, result.Model).Labelled!;
        output.WriteLine($"{fixture} block {blockSize}{(split ? " split" : "")}{(gptq ? " gptq" : "")}: top-1 {metrics.Accuracy!.CandidateTop1:P2} "
            + $"(reference {metrics.Accuracy.ReferenceTop1:P2}), SQNR {metrics.SqnrDb:F2} dB, {result.Model.Proto.CalculateSize():N0} bytes");
        Assert.Equal(split, result.Advisories.Any(a => a.Code == "CB4059"));
        return metrics.SqnrDb;
    }

    [Fact]
    public void Splitting_alone_keeps_the_digits_mlp_outputs_int8_weight_close_to_float()
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path("mlp.onnx"));
        var split = ModelQuantizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Int8Weight, Split = true });

        var metrics = DigitsQuantization.CompareOnTestSet("mlp.onnx", split.Model).Labelled!;

        output.WriteLine($"mlp int8-weight split: SQNR {metrics.SqnrDb:F2} dB, cosine {metrics.Cosine:F6}");
        Assert.True(metrics.SqnrDb > 30, $"SQNR {metrics.SqnrDb:F2} dB");
    }
}
