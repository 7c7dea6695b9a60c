using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Latency;

/// <summary>
/// How int8-static s8 weights avoid u8 x s8 saturation when reduce_range is asked or chosen (<see cref="SaturationChoice"/>): only
/// where the x86 kernel without VNNI can saturate. ONNX Runtime 1.31's MLAS (onnxruntime/core/mlas/lib):
/// <list type="bullet">
/// <item>Saturating: QLinearConv with symmetric s8 weights runs MlasConvSymKernelAvx2 (x86_64/ConvSymKernelAvx2.S, macro
/// MultiplyAccumulateRowAvx2: vpmaddubsw, which adds the u8 x s8 products of two adjacent input channels into a saturating
/// int16, then vpmaddwd), otherwise the QGEMM path (qgemm_kernel_avx2.cpp, PackedK = 4; QgemmU8S8KernelAvx2.S, vpmaddubsw as
/// well); QLinearMatMul, MatMulIntegerToFloat, QGemm and grouped Convs run that QGEMM too, whose packed B (MlasGemmU8S8CopyPackBAvx2)
/// holds 4 consecutive K rows per column, and with M = 1 and zero points 0 the GEMV kernel (x86_64/QgemvU8S8KernelAvx2.S)
/// interleaves 4 rows of the unpacked B the same way: both add K rows 2j and 2j + 1 in one int16. So does every weight here:
/// a Conv's K runs kernel position major, input channel minor; a MatMul's or Gemm's is B's K axis (rows of [K, N], columns of
/// Gemm's transB [N, K]). Checked under the Haswell oracle (tests/nonvnni/saturation_models.py's pair_models): MatMul with
/// M = 1 and 8, float and u8 output, Gemm with transB 0 and 1 and a 1x1 Conv, activation zero points 0 and 128, saturate on
/// exactly the K pairs (2j, 2j + 1). Such a weight gets, per output channel, the grid (largest code 64..127) with the least error
/// once the pairs MLAS adds that could saturate are pulled in (<see cref="PairsFit"/>, <see cref="ClampPairs"/>;
/// WeightQuantization); a weight whose pairs are not known this way (per tensor, several kinds of reader) gets the 7-bit grid
/// (-64..64), whose pairs always fit.</item>
/// <item>Not saturating: a depthwise QLinearConv (group = input channels = output channels; qlinearconv.cc's is_depthwise_conv)
/// runs MlasConvSymDepthwiseKernelAvx2 when the channels are a multiple of 16 (ConvSymKernelAvx2.S, ConvSymDepthwiseKernelFunction:
/// vpmovzxbd / vpmovsxbd widen both operands to int32 and DepthwiseMultiplyAccumulateCellAvx2's vpmaddwd multiplies one nonzero
/// word per dword, exact), else MlasConvDepthwiseKernelAvx2 (intrinsics/avx2/qdwconv_avx2.cpp: cvtepu8/cvtepi8 to int16,
/// mullo/mulhi to the exact int32 product, int32 adds). platform.cpp selects both on AVX2 without AVX-VNNI. Depthwise weights
/// keep the 8-bit grid.</item>
/// </list>
/// </summary>
public static class WeightRange
{
    /// <summary>
    /// The largest code of the 7-bit grid. Reduced weights keep the s8 type and twice the scale (WeightQuantization), so nearest
    /// rounding never passes it; a method that moves weights off nearest (GPTQ's error feedback) must clamp to it itself.
    /// </summary>
    public const int ReducedLimit = 64;

    /// <summary>The largest sum of two codes MLAS adds in one int16 that no u8 input can saturate: 32767 / 255, rounded down.</summary>
    public const int PairLimit = 128;

    /// <summary>Whether the options keep weights from saturating (reduce_range on symmetric s8 int8-static weights).</summary>
    public static bool Reduced(QuantizationOptions options) =>
        options.Mode == QuantizationMode.Int8Static && options.WeightType == QuantType.S8 && options.WeightSymmetric && options.ReduceRange is true;

    /// <summary>
    /// Whether <paramref name="weight"/> is kept from saturating (the 7-bit or a pair-safe grid): <see cref="Reduced(QuantizationOptions)"/>, unless every node of
    /// <paramref name="graph"/> that reads it is a depthwise Conv (one int8 copy serves all readers, so one saturating reader decides).
    /// </summary>
    public static bool Reduced(QuantizationOptions options, GraphProto graph, TensorProto weight)
    {
        if (!Reduced(options))
        {
            return false;
        }

        var readers = graph.Node.Where(n => n.Input.Contains(weight.Name)).ToList();
        return readers.Count == 0 || !readers.All(n => n.Input.IndexOf(weight.Name) == 1 && IsDepthwise(n, weight.Dims));
    }

    /// <summary>
    /// For a weight kept from saturating (<see cref="Reduced(QuantizationOptions, GraphProto, TensorProto)"/>) whose readers all add
    /// the same pairs of it, the length of one output channel's K run in MLAS's order as <see cref="PairsFit"/> reads it: a Conv's
    /// weight [M, C/group, ...] its input channels per group (C/group); a MatMul's B [K, N] and a Gemm's B ([K, N], or [N, K] with
    /// transB) K, which <see cref="PairsFit"/> reads as a 1x1 kernel. 0 otherwise (the 7-bit grid). Not with power-of-two scales,
    /// whose grid keeps the 7-bit ceil (WeightQuantization).
    /// </summary>
    public static int PairedInputs(QuantizationOptions options, GraphProto graph, TensorProto weight)
    {
        if (!Reduced(options, graph, weight) || options.ScaleConstraint != ScaleConstraint.None)
        {
            return 0;
        }

        var runs = graph.Node.Where(n => n.Input.Contains(weight.Name)).Select(n => PairedRun(n, weight)).Distinct().ToList();
        return runs.Count == 1 ? runs[0] : 0;
    }

    /// <summary>
    /// Whether one output channel's s8 codes (ONNX order [C/group][kernel positions]; a MatMul's or Gemm's column of K codes with
    /// <paramref name="inputChannels"/> = K) cannot saturate MLAS's u8 x s8 kernels on AVX2 without VNNI: their vpmaddubsw adds the
    /// products of two neighbouring codes of the K dimension, which is kernel position major and input channel minor (qlinearconv.cc's
    /// ReorderFilter for the QGEMM path, MlasConvSymPackW's packs of 4 input channels per kernel position for the symmetric path; K is
    /// zero-padded to a multiple of 4, PackedK), into an int16. With u8 inputs up to 255
    /// a pair fits when its positive codes add up to at most 128 and its negative ones to at least -128 (255 x 128 = 32640).
    /// </summary>
    public static bool PairsFit(ReadOnlySpan<float> codes, int inputChannels)
    {
        var kernel = codes.Length / inputChannels;
        for (var k = 0; k < codes.Length; k += 2)
        {
            var a = codes[Position(k, inputChannels, kernel)];
            var b = k + 1 < codes.Length ? codes[Position(k + 1, inputChannels, kernel)] : 0f;
            if (Math.Max(a, 0f) + Math.Max(b, 0f) > PairLimit || Math.Min(a, 0f) + Math.Min(b, 0f) < -PairLimit)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Pulls the codes of every pair that does not fit (<see cref="PairsFit"/>) toward zero until it does, the larger one first by
    /// half the excess rounded up (a last unpaired code meets zero padding and always fits): codes moved off nearest by GPTQ's error feedback or AdaRound can pass the pair limit nearest keeps.
    /// </summary>
    public static void ClampPairs(Span<float> codes, int inputChannels)
    {
        var kernel = codes.Length / inputChannels;
        for (var k = 0; k + 1 < codes.Length; k += 2)
        {
            var (i, j) = (Position(k, inputChannels, kernel), Position(k + 1, inputChannels, kernel));
            var (a, b) = (codes[i], codes[j]);
            // A NaN code (0 x the infinite inverse of a float-denormal scale: the recognizer has output channels whose weights are all
            // below 1e-38) becomes byte 0, so its pair fits.
            if (float.IsNaN(a + b) || Math.Sign(a) != Math.Sign(b) || Math.Abs(a + b) <= PairLimit)
            {
                continue;
            }

            var excess = Math.Abs(a + b) - PairLimit;
            var (large, small) = Math.Abs(a) >= Math.Abs(b) ? (i, j) : (j, i);
            var first = MathF.Ceiling(excess / 2);
            codes[large] -= Math.Sign(codes[large]) * first;
            codes[small] -= Math.Sign(codes[small]) * (excess - first);
        }
    }

    /// <summary>How many Conv / MatMul / Gemm layers with a constant weight the graph has, and how many of them are depthwise Convs (CB4018's text).</summary>
    public static (int Layers, int Depthwise) Count(GraphProto graph)
    {
        var dims = graph.Initializer.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (IReadOnlyList<long>)g.First().Dims, StringComparer.Ordinal);
        foreach (var constant in graph.Node.Where(n => n.OpType == "Constant" && n.Output.Count == 1))
        {
            if (constant.Attribute.FirstOrDefault(a => a.Name == "value")?.T is { } tensor)
            {
                dims.TryAdd(constant.Output[0], tensor.Dims);
            }
        }

        var layers = graph.Node.Where(n => n.OpType is "Conv" or "MatMul" or "Gemm" && n.Domain is "" or "ai.onnx" && n.Input.Count > 1 && dims.ContainsKey(n.Input[1])).ToList();
        return (layers.Count, layers.Count(n => IsDepthwise(n, dims[n.Input[1]])));
    }

    /// <summary>
    /// For each code of one output channel (ONNX order [C/group][kernel positions]), the code MLAS adds it to in one int16 pair
    /// (<see cref="PairsFit"/>), or -1 for a last code that meets zero padding: GPTQ keeps a pair within <see cref="PairLimit"/> as
    /// it codes the second of the two, so its error feedback sees the clamp.
    /// </summary>
    public static int[] Partners(int inputChannels, int length)
    {
        var kernel = length / inputChannels;
        var partners = new int[length];
        for (var k = 0; k < length; k++)
        {
            var other = k ^ 1;
            partners[Position(k, inputChannels, kernel)] = other < length ? Position(other, inputChannels, kernel) : -1;
        }

        return partners;
    }

    /// <summary>Where the k-th value of MLAS's K order (kernel position major, input channel minor) sits in ONNX's [C/group][kernel] order.</summary>
    private static int Position(int k, int inputChannels, int kernel) => (k % inputChannels * kernel) + (k / inputChannels);

    /// <summary>One reader's <see cref="PairedInputs"/>: 0 unless the weight is its B (input 1) in the layout MLAS's pairs were read for.</summary>
    private static int PairedRun(NodeProto node, TensorProto weight)
    {
        var dims = weight.Dims;
        if (node.Domain is not ("" or "ai.onnx") || node.Input.IndexOf(weight.Name) != 1)
        {
            return 0;
        }

        return node.OpType switch
        {
            "Conv" when dims.Count >= 3 => checked((int)dims[1]),
            "MatMul" when dims.Count == 2 => checked((int)dims[0]),
            "Gemm" when dims.Count == 2 => checked((int)dims[NodeAttributes.Int(node, "transB", 0) != 0 ? 1 : 0]),
            _ => 0,
        };
    }

    /// <summary>ONNX Runtime's depthwise test: a Conv whose weight [M, C/group, ...] has one input and one output channel per group.</summary>
    private static bool IsDepthwise(NodeProto node, IReadOnlyList<long> weightDims)
    {
        var group = NodeAttributes.Int(node, "group", 1);
        return node.OpType == "Conv" && node.Domain is "" or "ai.onnx" && group > 1 && weightDims.Count >= 3 && weightDims[1] == 1 && weightDims[0] == group;
    }
}
