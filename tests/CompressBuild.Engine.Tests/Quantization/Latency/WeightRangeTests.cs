using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Latency;
using CompressBuild.Engine.Quantization.Weights;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization.Latency;

public sealed class WeightRangeTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder folder = new();

    [Fact]
    public void Reduced_range_puts_symmetric_s8_weights_on_the_7_bit_grid_within_half_a_step()
    {
        var random = new Random(5);
        var values = Enumerable.Range(0, 4 * 64).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();

        var full = WeightQuantization.Quantize(values, [4, 64], 0, QuantType.S8, symmetric: true);
        var reduced = WeightQuantization.Quantize(values, [4, 64], 0, QuantType.S8, symmetric: true, reduceRange: true);

        Assert.Equal(127, full.Data.Max(b => Math.Abs((int)(sbyte)b)));
        Assert.Equal(64, reduced.Data.Max(b => Math.Abs((int)(sbyte)b)));
        for (var i = 0; i < values.Length; i++)
        {
            Assert.True(Math.Abs(reduced.Dequantized(i, 64) - values[i]) <= (reduced.Channels[i / 64].Scale / 2) + 1e-6, $"element {i}");
        }
    }

    [Fact]
    public void Vnni_detection_agrees_with_the_kernel_cpu_flags()
    {
        if (!File.Exists("/proc/cpuinfo") || !CpuFeatures.IsX86)
        {
            return; // Only Linux on x86 lists the flags; elsewhere there is nothing to compare with.
        }

        var flags = File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("flags", StringComparison.Ordinal)).Split(' ');

        Assert.Equal(flags.Contains("avx512_vnni") || flags.Contains("avx_vnni"), CpuFeatures.HasVnni);
    }

    [RealModelFact(RealModels.PaddleOcrClassifier)]
    public void The_classifier_kept_from_saturation_says_so_keeps_gptqs_weights_pair_safe_too_and_keeps_a_cosine_of_0_95()
    {
        var original = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrClassifier));
        var calibration = OcrInputs.Render(folder.Path, "cls", 16, seed: 7, 48, 192);
        var evaluation = OcrInputs.Render(folder.Path, "cls", 8, seed: 11, 48, 192);
        var cosines = new Dictionary<bool, double>();
        foreach (var (reduce, rounding) in new[] { (false, WeightRounding.Nearest), (true, WeightRounding.Nearest), (true, WeightRounding.Gptq) })
        {
            var options = new QuantizationOptions { ReduceRange = reduce, LatencyAware = false, Rounding = rounding };
            var result = QuantizationPass.Run(original, new QuantizationRequest(options, calibration, 0, null, null)).Result;
            // Depthwise Convs keep 8 bits either way (their kernels cannot saturate; the cnn_concat_dw test): the rest is what reduce_range changes.
            var depthwise = result.Model.Graph.Node.Where(n => n.OpType == "Conv" && NodeAttributes.Int(n, "group", 1) > 1).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            var layers = CodesByLayer(result.Model).Where(l => !depthwise.Contains(l.Key)).Select(l => l.Value).ToList();
            Assert.NotEmpty(layers);
            if (reduce)
            {
                // Conv and MatMul / Gemm weights on pair-safe grids (GPTQ's moved codes clamped back per pair).
                Assert.All(layers, l => Assert.InRange(LargestPairSum(l.Codes, l.Dims), 1, 128));
            }
            else
            {
                Assert.Equal(127, layers.Max(l => l.Codes.Max(Math.Abs)));
            }

            Assert.Equal(reduce, result.Advisories.Any(a => a.Code == "CB4018"));
            if (rounding == WeightRounding.Nearest)
            {
                cosines[reduce] = FirstOutput.Compare(original, result.Model, evaluation).Cosine;
            }
        }

        output.WriteLine($"cosine 8-bit weights {cosines[false]:0.0000}, kept from saturation {cosines[true]:0.0000}");
        // Measured 0.9989 with 8-bit and 0.9705 with 7-bit weights at nearest rounding (stop 26); 0.9998 and 0.9929 since depthwise Convs keep 8 bits
        // and the other Convs get pair-safe grids (stop 27).
        Assert.True(cosines[true] >= 0.95, $"saturation-safe cosine {cosines[true]}");
    }

    /// <summary>
    /// The recognizer's first MatMul (p2o.MatMul.0, B [120, 360] from a Constant, run by ONNX Runtime as a QGEMM that adds K rows 2j and
    /// 2j + 1 of each output column in one int16 on AVX2 without VNNI): kept from saturation, each column gets the least-error grid on which
    /// no such pair passes 128. Its 8-bit codes do pass it, and the pair-safe codes are finer than the 7-bit grid's, with less error.
    /// </summary>
    [RealModelFact(RealModels.PaddleOcrRecognizer)]
    public void The_recognizers_first_MatMul_gets_pair_safe_columns_with_less_error_than_7_bits()
    {
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrRecognizer));
        var matmul = model.Graph.Node.Single(n => n.Name == "p2o.MatMul.0");
        var weight = ConstantWeight(model, matmul.Input[1]);
        var values = TensorData.ToSingles(weight, model);
        var paired = WeightRange.PairedInputs(new QuantizationOptions { ReduceRange = true }, model.Graph, weight);
        Assert.Equal([120L, 360L], weight.Dims);
        Assert.Equal(120, paired);

        var kept = WeightQuantization.Quantize(values, weight.Dims, 1, QuantType.S8, symmetric: true, reduceRange: true, pairedInputs: paired);
        var sevenBit = WeightQuantization.Quantize(values, weight.Dims, 1, QuantType.S8, symmetric: true, reduceRange: true);
        var eightBit = WeightQuantization.Quantize(values, weight.Dims, 1, QuantType.S8, symmetric: true);
        long[] columns = [360, 120];
        int[] Codes(WeightQuantization q) => Transposed([.. q.Data.Select(b => (int)(sbyte)b)], [.. weight.Dims]);
        double Error(WeightQuantization q) => values.Select((v, i) => Math.Pow(q.Dequantized(i, 1) - v, 2)).Sum();

        output.WriteLine($"largest pair sum 8-bit {LargestPairSum(Codes(eightBit), columns)}, kept {LargestPairSum(Codes(kept), columns)}; squared error "
            + $"8-bit {Error(eightBit):0.000e0}, kept {Error(kept):0.000e0}, 7-bit {Error(sevenBit):0.000e0}; largest code kept {Codes(kept).Max(Math.Abs)}");
        Assert.True(LargestPairSum(Codes(eightBit), columns) > WeightRange.PairLimit);
        Assert.InRange(LargestPairSum(Codes(kept), columns), 1, WeightRange.PairLimit);
        Assert.InRange(Codes(kept).Max(Math.Abs), WeightRange.ReducedLimit + 1, 127);
        Assert.True(Error(kept) < Error(sevenBit), $"pair-safe error {Error(kept)}, 7-bit {Error(sevenBit)}");
    }

    /// <summary>
    /// The recognizer's conv2d_180.w_0 [480, 480, 1, 1] has 14 output channels whose weights are all below 1e-30 (float denormals): their
    /// scale's inverse is infinite and 0 x infinity codes as NaN, on which pulling pairs in threw (the recognizer could not be quantized
    /// with reduce_range). Those codes become 0 and fit, every pair fits, and each weight below 1e-30 comes back within 1e-30.
    /// </summary>
    [RealModelFact(RealModels.PaddleOcrRecognizer)]
    public void A_Conv_with_denormal_output_channels_codes_pair_safe()
    {
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrRecognizer));
        var weight = ConstantWeight(model, "conv2d_180.w_0");
        var values = TensorData.ToSingles(weight, model);
        Assert.Equal(14, values.Chunk(480).Count(c => c.Max(Math.Abs) < 1e-30f));

        var kept = WeightQuantization.Quantize(values, weight.Dims, 0, QuantType.S8, symmetric: true, reduceRange: true, pairedInputs: 480);

        Assert.InRange(LargestPairSum([.. kept.Data.Select(b => (int)(sbyte)b)], [.. weight.Dims]), 1, WeightRange.PairLimit);
        Assert.All(Enumerable.Range(0, values.Length).Where(i => Math.Abs(values[i]) < 1e-30f), i => Assert.True(Math.Abs(kept.Dequantized(i, 480) - values[i]) < 1e-30f));
    }

    /// <summary>
    /// cnn_concat_dw has a depthwise Conv (16 channels, group 16) and a stem Conv with the same [16, 1, 3, 3] weight shape but group 1.
    /// Without VNNI the depthwise one, whose MLAS kernels widen to int32 and cannot saturate, keeps the 8-bit grid; the other Convs get
    /// per channel the finest grid on which no two codes MLAS adds in one int16 (K order: kernel position major, input channel minor)
    /// can saturate with u8 inputs, so codes past 64 but no such pair past 128; so does the Gemm (K rows 2j and 2j + 1 of each output
    /// column, as the Haswell oracle showed for QGemm). Each rounding derives
    /// its grid through the same rule, and codes AdaRound moves off nearest are pulled back into the pair limit.
    /// </summary>
    [Theory]
    [InlineData(WeightRounding.Nearest)]
    [InlineData(WeightRounding.AdaRound)]
    [InlineData(WeightRounding.Gptq)]
    public void Without_VNNI_depthwise_weights_keep_8_bits_other_Convs_and_the_Gemm_get_pair_safe_grids(WeightRounding rounding)
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path("cnn_concat_dw.onnx"));
        var request = new QuantizationRequest(new QuantizationOptions { Rounding = rounding, LatencyPlacement = false }, DigitsQuantization.Path("calib_x_img.npy"), 16);

        var result = QuantizationPass.Run(model, request, u8s8CanSaturate: true).Result;

        var codes = CodesByLayer(result.Model);
        Assert.Equal(["/branch1x1/branch1x1.0/Conv", "/branch3x3/branch3x3.0/Conv", "/dw/dw.0/Conv", "/fc/Gemm", "/stem/stem.0/Conv"], codes.Keys.Order(StringComparer.Ordinal));
        Assert.InRange(codes["/dw/dw.0/Conv"].Codes.Max(Math.Abs), WeightRange.ReducedLimit + 1, 127);
        foreach (var name in new[] { "/stem/stem.0/Conv", "/branch1x1/branch1x1.0/Conv", "/branch3x3/branch3x3.0/Conv", "/fc/Gemm" })
        {
            var (values, dims) = codes[name];
            Assert.InRange(values.Max(Math.Abs), WeightRange.ReducedLimit + 1, 127);
            Assert.InRange(LargestPairSum(values, dims), 1, 128);
        }

        var advisory = Assert.Single(result.Advisories, a => a.Code == "CB4018");
        Assert.Contains("the weights of 4 of 5 Conv/MatMul/Gemm layers use per output channel the least-error grid on which no pair", advisory.Message, StringComparison.Ordinal);
        Assert.Contains("the 1 depthwise Convs, whose kernels cannot saturate, keep 8 bits", advisory.Message, StringComparison.Ordinal);
    }

    /// <summary>The tensor of the Constant node whose output is <paramref name="name"/> (the PP-OCR exports hold their weights so), named so.</summary>
    private static TensorProto ConstantWeight(OnnxModel model, string name)
    {
        var weight = model.Graph.Node.Single(n => n.OpType == "Constant" && n.Output[0] == name).Attribute.Single(a => a.Name == "value").T.Clone();
        weight.Name = name;
        return weight;
    }

    /// <summary>
    /// By node name, the int8 codes of the weight its DequantizeLinear reads, and their dims; a MatMul's or Gemm's B as [N, K] (transposed
    /// unless Gemm's transB stores it so), which <see cref="LargestPairSum"/> reads as N output channels of a 1x1 kernel on K inputs.
    /// </summary>
    private static Dictionary<string, (int[] Codes, long[] Dims)> CodesByLayer(OnnxModel model)
    {
        var graph = model.Graph;
        var producers = graph.Node.Where(n => n.OpType == "DequantizeLinear").ToDictionary(n => n.Output[0], StringComparer.Ordinal);
        var int8 = graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Int8).ToDictionary(t => t.Name, StringComparer.Ordinal);
        return graph.Node.Where(n => n.OpType is "Conv" or "Gemm" or "MatMul" && n.Input.Count > 1 && producers.ContainsKey(n.Input[1])).ToDictionary(n => n.Name, n =>
        {
            var tensor = int8[producers[n.Input[1]].Input[0]];
            var codes = tensor.RawData.Select(b => (int)(sbyte)b).ToArray();
            var dims = tensor.Dims.ToArray();
            return n.OpType == "Conv" || (n.OpType == "Gemm" && NodeAttributes.Int(n, "transB", 0) != 0) ? (codes, dims) : (Transposed(codes, dims), [dims[1], dims[0]]);
        }, StringComparer.Ordinal);
    }

    private static int[] Transposed(int[] codes, long[] dims)
    {
        var (rows, columns) = ((int)dims[0], (int)dims[1]);
        return [.. Enumerable.Range(0, codes.Length).Select(i => codes[(i % rows * columns) + (i / rows)])];
    }

    /// <summary>
    /// The largest same-sign sum of two codes MLAS's vpmaddubsw adds into one int16: per output channel, the weight [M, C, kh, kw]
    /// read as [kh, kw, C] (the K order of ORT's ReorderFilter), zero-padded to an even length, in pairs.
    /// </summary>
    private static int LargestPairSum(int[] codes, long[] dims)
    {
        var (outputs, inputs) = ((int)dims[0], (int)dims[1]);
        var kernel = codes.Length / outputs / inputs;
        var largest = 0;
        for (var o = 0; o < outputs; o++)
        {
            var order = new List<int>();
            for (var k = 0; k < kernel; k++)
            {
                for (var c = 0; c < inputs; c++)
                {
                    order.Add(codes[(((o * inputs) + c) * kernel) + k]);
                }
            }

            order.Add(0);
            for (var i = 0; i + 1 < order.Count; i += 2)
            {
                var (a, b) = (order[i], order[i + 1]);
                largest = Math.Max(largest, Math.Max(Math.Max(a, 0) + Math.Max(b, 0), -(Math.Min(a, 0) + Math.Min(b, 0))));
            }
        }

        return largest;
    }

    public void Dispose() => folder.Dispose();
}
