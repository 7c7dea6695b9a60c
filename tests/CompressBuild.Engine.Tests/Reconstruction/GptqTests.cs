using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Tests.Quantization;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Reconstruction;

public class GptqTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("transformer.onnx", QuantizationMode.Int4Weight, 32)]
    [InlineData("transformer.onnx", QuantizationMode.Int4Weight, 64)]
    [InlineData("mlp.onnx", QuantizationMode.Int4Weight, 32)]
    public void Gptq_raises_output_sqnr_at_least_3_dB_over_round_to_nearest_at_the_same_block_size(string fixture, QuantizationMode mode, int blockSize)
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path(fixture));
        var options = new QuantizationOptions { Mode = mode, BlockSize = blockSize };

        var nearest = ModelQuantizer.Quantize(model, options);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var gptq = ModelQuantizer.Quantize(model, options, DigitsQuantization.Calibration(model, fixture));
        var elapsed = clock.Elapsed;

        var rtn = DigitsQuantization.CompareOnTestSet(fixture, nearest.Model).Labelled!;
        var solved = DigitsQuantization.CompareOnTestSet(fixture, gptq.Model).Labelled!;
        output.WriteLine($"{fixture} {mode} block {blockSize}: SQNR round-to-nearest {rtn.SqnrDb:F2} dB, GPTQ {solved.SqnrDb:F2} dB; "
            + $"top-1 {rtn.Accuracy!.ReferenceTop1:P2} -> {rtn.Accuracy.CandidateTop1:P2} / {solved.Accuracy!.CandidateTop1:P2}; GPTQ pass {elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(nearest.QuantizedCount, gptq.QuantizedCount);
        Assert.True(solved.SqnrDb >= rtn.SqnrDb + 3, $"round-to-nearest {rtn.SqnrDb:F2} dB, GPTQ {solved.SqnrDb:F2} dB");
    }

    [Fact]
    public void Asking_for_gptq_without_calibration_data_is_CB2045()
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path("mlp.onnx"));

        var error = Assert.Throws<CompressBuild.Engine.Diagnostics.CompressBuildException>(() =>
            ModelQuantizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Int4Weight, Gptq = true }));

        Assert.Equal("CB2045", error.Code.ToString());
    }

    [Fact]
    public void Asking_for_reconstruct_without_calibration_data_is_CB2045()
    {
        var error = Assert.Throws<CompressBuild.Engine.Diagnostics.CompressBuildException>(() =>
            new CompressBuild.Engine.Pruning.PruneSettings { Method = CompressBuild.Engine.Pruning.PruneMethod.Channel, Reconstruct = true }.Validate());

        Assert.Equal("CB2045", error.Code.ToString());
    }
}
