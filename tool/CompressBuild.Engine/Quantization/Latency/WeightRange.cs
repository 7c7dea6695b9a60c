using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Latency;

/// <summary>
/// Which int8-static s8 weights are stored in 7 bits (ONNX Runtime's reduce_range, asked or chosen by <see cref="SaturationChoice"/>):
/// those read by a layer whose x86 kernel without VNNI can saturate. ONNX Runtime 1.31's MLAS (onnxruntime/core/mlas/lib):
/// <list type="bullet">
/// <item>Saturating: QLinearConv with symmetric s8 weights runs MlasConvSymKernelAvx2 (x86_64/ConvSymKernelAvx2.S, macro
/// MultiplyAccumulateRowAvx2: vpmaddubsw, which adds the u8 x s8 products of two adjacent input channels into a saturating
/// int16, then vpmaddwd), otherwise the QGEMM path (qgemm_kernel_avx2.cpp, PackedK = 4; QgemmU8S8KernelAvx2.S, vpmaddubsw as
/// well); QLinearMatMul and grouped Convs run that QGEMM too.</item>
/// <item>Not saturating: a depthwise QLinearConv (group = input channels = output channels; qlinearconv.cc's is_depthwise_conv)
/// runs MlasConvSymDepthwiseKernelAvx2 when the channels are a multiple of 16 (ConvSymKernelAvx2.S, ConvSymDepthwiseKernelFunction:
/// vpmovzxbd / vpmovsxbd widen both operands to int32 and DepthwiseMultiplyAccumulateCellAvx2's vpmaddwd multiplies one nonzero
/// word per dword, exact), else MlasConvDepthwiseKernelAvx2 (intrinsics/avx2/qdwconv_avx2.cpp: cvtepu8/cvtepi8 to int16,
/// mullo/mulhi to the exact int32 product, int32 adds). Platform.cpp selects both on AVX2 without AVX-VNNI.</item>
/// </list>
/// So depthwise Convs keep 8 bits: on the PP-OCRv4 detector 7 bits there cost more output cosine than on any other layer kind (README).
/// </summary>
public static class WeightRange
{
    /// <summary>
    /// The largest code of the 7-bit grid. Reduced weights keep the s8 type and twice the scale (WeightQuantization), so nearest
    /// rounding never passes it; a method that moves weights off nearest (GPTQ's error feedback) must clamp to it itself.
    /// </summary>
    public const int ReducedLimit = 64;

    /// <summary>Whether the options store weights that can saturate in 7 bits (reduce_range on symmetric s8 int8-static weights).</summary>
    public static bool Reduced(QuantizationOptions options) =>
        options.Mode == QuantizationMode.Int8Static && options.WeightType == QuantType.S8 && options.WeightSymmetric && options.ReduceRange is true;

    /// <summary>
    /// Whether <paramref name="weight"/> is stored in 7 bits: <see cref="Reduced(QuantizationOptions)"/>, unless every node of
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

    /// <summary>ONNX Runtime's depthwise test: a Conv whose weight [M, C/group, ...] has one input and one output channel per group.</summary>
    private static bool IsDepthwise(NodeProto node, IReadOnlyList<long> weightDims)
    {
        var group = NodeAttributes.Int(node, "group", 1);
        return node.OpType == "Conv" && node.Domain is "" or "ai.onnx" && group > 1 && weightDims.Count >= 3 && weightDims[1] == 1 && weightDims[0] == group;
    }
}
