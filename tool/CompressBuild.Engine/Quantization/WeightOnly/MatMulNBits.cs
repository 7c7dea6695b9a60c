using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Operators;
using CompressBuild.Engine.Quantization.Selection;
using CompressBuild.Engine.Quantization.Weights;

namespace CompressBuild.Engine.Quantization.WeightOnly;

/// <summary>
/// MatMul with a constant [K, N] weight, and Gemm with a constant B (alpha folded into the scales, beta x C added
/// after), as com.microsoft MatMulNBits with block-wise int4/int8 weights; the activations stay float.
/// </summary>
internal static class MatMulNBits
{
    /// <summary>
    /// Rewrites a MatMul or Gemm and returns the decision. Whether GPTQ solved the weight is read before the rewrite
    /// replaces the node's weight input.
    /// </summary>
    public static OpRewrite Quantize(GraphEditor editor, QuantizationContext context, NodeProto node, WeightOnlySettings settings)
    {
        var options = context.Options;
        var gptq = node.Input.Count > 1 && settings.GptqRanges?.ContainsKey(node.Input[1]) == true;
        var reason = Rewrite(editor, context, node, settings.Bits, settings.GptqRanges);
        return OpRewrite.Refused(reason,
            $"MatMulNBits, {settings.Bits}-bit blocks of {options.BlockSize}, {(options.BlockSymmetric ? "symmetric" : "asymmetric")}{(gptq ? ", GPTQ" : "")}");
    }

    private static string? Rewrite(GraphEditor editor, QuantizationContext context, NodeProto node, int bits, IReadOnlyDictionary<string, float[]>? gptqRanges)
    {
        if (ConstantProduct.Read(context, node, "MatMulNBits", out var b, out var gemm) is { } refusal)
        {
            return refusal;
        }

        int k = (int)gemm.K, n = (int)gemm.N;
        var options = context.Options;
        if (k < options.BlockSize / 2)
        {
            return $"K={k} is too small for blocks of {options.BlockSize}";
        }

        // MatMulNBits wants B as [N, K]: Gemm with transB=1 already stores it so, everything else is [K, N].
        var values = TensorData.ToSingles(b, context.Model);
        if (gemm.StoredKByN)
        {
            values = MatrixTranspose.Of(values, k, n);
        }

        var (alpha, beta) = (gemm.Alpha, gemm.Beta);
        string? addend = null;
        if (gemm.C is not null)
        {
            if (beta == 1f)
            {
                addend = gemm.C;
            }
            else if (context.FloatConstant(gemm.C) is { } c)
            {
                var scaled = TensorData.ToSingles(c, context.Model).Select(v => v * beta).ToArray();
                addend = editor.AddInitializer<float>(c.Name + "_beta", c.Dims.ToArray(), scaled);
            }
            else
            {
                return "C is computed at run time and beta is not 1";
            }
        }

        var ranges = gptqRanges is not null && gptqRanges.TryGetValue(b.Name, out var original) ? original : null;
        var quantized = BlockQuantization.Quantize(values, k, n, bits, options.BlockSize, options.BlockSymmetric, ranges);
        var scales = alpha == 1f ? quantized.Scales : quantized.Scales.Select(s => s * alpha).ToArray();
        var weight = editor.AddQuantizedInitializer(b.Name + $"_q{bits}", [n, quantized.BlocksPerColumn, quantized.BlobSize], quantized.Packed, QuantType.U8);
        var inputs = new List<string> { node.Input[0], weight, editor.AddInitializer<float>(b.Name + "_scales", [scales.Length], scales) };
        if (quantized.ZeroPoints is { } zeros)
        {
            inputs.Add(editor.AddQuantizedInitializer(b.Name + "_zero_points", [zeros.Length], zeros, QuantType.U8));
        }

        var output = node.Output[0];
        node.Input.Clear();
        node.Input.Add(inputs);
        node.Attribute.Clear();
        node.OpType = "MatMulNBits";
        node.Domain = GraphEditor.MicrosoftDomain;
        NodeAttributes.SetInt(node, "K", k);
        NodeAttributes.SetInt(node, "N", n);
        NodeAttributes.SetInt(node, "bits", bits);
        NodeAttributes.SetInt(node, "block_size", options.BlockSize);
        if (options.AccuracyLevel > 0)
        {
            NodeAttributes.SetInt(node, "accuracy_level", options.AccuracyLevel);
        }

        if (addend is not null)
        {
            var product = editor.UniqueName(output + "_matmul");
            node.Output[0] = product;
            editor.AddNode("Add", [product, addend], [output], node.Name + "_bias_Add");
        }

        return null;
    }
}
