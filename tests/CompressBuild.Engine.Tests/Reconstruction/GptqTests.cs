using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Tests.Quantization;
using CompressBuild.Engine.Quantization.Latency;
using CompressBuild.Engine.Reconstruction;
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

    /// <summary>
    /// int8 Conv weights for a CPU without VNNI (WeightRange's pairs): GPTQ that keeps each pair within the limit as it codes the
    /// pair's second column feeds the clamp's error forward, where clamping GPTQ's result afterwards cannot. 8 input channels x 3x3,
    /// 16 outputs, weights scaled so their largest codes reach 127 and many pairs would pass 128; non-negative correlated inputs
    /// (post-ReLU activations, what u8 carries).
    /// </summary>
    [Fact]
    public void Pair_limited_gptq_keeps_every_pair_within_the_limit_and_errs_less_than_clamping_its_result_afterwards()
    {
        const int Channels = 8, Kernel = 9, Outputs = 16, Rows = 2000, N = Channels * Kernel;
        var random = new Random(16);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var x = new float[N * Rows];
        for (var r = 0; r < Rows; r++)
        {
            var shared = Gaussian();
            for (var c = 0; c < N; c++)
            {
                x[(c * Rows) + r] = (float)Math.Max(0, (0.7 * shared) + Gaussian());
            }
        }

        GramMatrix Gram()
        {
            var gram = new GramMatrix(N);
            gram.Add(x, Rows, Rows);
            gram.Symmetrize();
            return gram;
        }

        var weights = Enumerable.Range(0, Outputs * N).Select(_ => Gaussian() * (random.NextDouble() < 0.2 ? 3 : 1)).ToArray();
        var scales = Enumerable.Range(0, Outputs).Select(o => (float)(weights.Skip(o * N).Take(N).Max(Math.Abs) / 127)).ToArray();
        var zeros = new int[Outputs];
        var partners = WeightRange.Partners(Channels, N);
        var (limited, after) = ((double[])weights.Clone(), (double[])weights.Clone());

        Gptq.Quantize(Gram(), limited, Outputs, N, scales, zeros, 127, minCode: -127, pairs: (partners, WeightRange.PairLimit));
        Gptq.Quantize(Gram(), after, Outputs, N, scales, zeros, 127, minCode: -127);
        var clamped = 0;
        for (var o = 0; o < Outputs; o++)
        {
            var codes = after.Skip(o * N).Take(N).Select(v => (float)Math.Round(v / scales[o])).ToArray();
            clamped += WeightRange.PairsFit(codes, Channels) ? 0 : 1;
            WeightRange.ClampPairs(codes, Channels);
            for (var j = 0; j < N; j++)
            {
                after[(o * N) + j] = codes[j] * (double)scales[o];
            }

            Assert.True(WeightRange.PairsFit([.. limited.Skip(o * N).Take(N).Select(v => (float)Math.Round(v / scales[o]))], Channels), $"output {o}");
        }

        double Error(double[] rounded)
        {
            var gram = Gram();
            return Enumerable.Range(0, Outputs).Sum(o => gram.Quadratic([.. Enumerable.Range(0, N).Select(j => rounded[(o * N) + j] - weights[(o * N) + j])]));
        }

        Assert.True(clamped > Outputs / 2, $"only {clamped} of {Outputs} Outputs had a pair to clamp: the case does not test the limit");
        Assert.True(Error(limited) < Error(after), $"pair-limited {Error(limited):G6}, clamped afterwards {Error(after):G6}");
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
