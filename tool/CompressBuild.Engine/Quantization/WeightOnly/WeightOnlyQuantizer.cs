using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Dynamic;
using CompressBuild.Engine.Quantization.Operators;
using CompressBuild.Engine.Quantization.Selection;
using CompressBuild.Engine.Quantization.Weights;

namespace CompressBuild.Engine.Quantization.WeightOnly;

/// <summary>
/// int4-weight / int8-weight: MatMul with a constant [K, N] weight, and Gemm with a constant B (alpha folded
/// into the scales, beta x C added after), become com.microsoft MatMulNBits with block-wise weights; the
/// activations stay float. Conv weights are stored quantized behind a DequantizeLinear (int8 per output channel;
/// int4 per output channel at opset 21, raised to when no op changed meaning), Gather tables as int8: smaller,
/// not faster.
/// </summary>
internal static class WeightOnlyQuantizer
{
    private const string ActivationProduct = DynamicQuantizer.ActivationProduct;

    public static void Apply(QuantizationWork work, QuantizationOptions options, int bits, Evaluation.Dataset? calibration = null)
    {
        if (options.Gptq == true && calibration is null)
        {
            throw new CompressBuildException(DiagnosticCodes.ReconstructionNeedsCalibration,
                "--gptq solves each layer on calibration data: pass --calibration-data <file|dir> (a few hundred representative inputs), or drop --gptq for round-to-nearest.", work.Model.DisplayName);
        }

        var gptqRanges = calibration is not null && (options.Gptq ?? true) ? GptqWeights.Apply(work, options, bits, calibration) : null;

        // The model arrives at opset 21 when it holds Conv and conversion could get it there (ModelQuantizer.Prepare).
        var convOpset = work.Model.OpsetVersion("");
        var convs = false;
        foreach (var graph in Subgraphs.All(work.Graph).ToList())
        {
            // GPTQ solves the main graph's layers, whose inputs calibration reaches; subgraph weights get round-to-nearest.
            var main = ReferenceEquals(graph, work.Graph);
            convs |= ApplyTo(work, graph, options, bits, convOpset, main, main ? gptqRanges : null);
        }

        if (convs)
        {
            work.Advise(DiagnosticCodes.SpeedupUnlikely, "Conv weights are stored quantized behind DequantizeLinear, which ONNX Runtime runs on every inference: the model is smaller but slower (measured 0.65-0.7x on a MobileNet-style detector); use int8-static for speed.");
        }

        if (work.Decisions.Any(d => d.Quantized))
        {
            GraphEditor.EnsureOpset(work.Proto, GraphEditor.MicrosoftDomain, 1);
        }
    }

    /// <summary>One graph (the main graph or an If/Loop/Scan body); returns whether a Conv was rewritten.</summary>
    private static bool ApplyTo(QuantizationWork work, GraphProto graph, QuantizationOptions options, int bits, long convOpset, bool main, Dictionary<string, float[]>? gptqRanges)
    {
        var index = GraphIndex.Build(graph);
        var context = new QuantizationContext(work.Model, index, options, perChannelAllowed: true);
        var order = index.TopologicalOrder();
        var weighted = order.Where(n => n.OpType is "MatMul" or "Gemm" or "Conv" or "Gather").ToList();
        var selection = new NodeSelection(options, graph, weighted, work.Model.DisplayName, validate: main);
        var editor = new GraphEditor(graph);
        var quantized = false;
        var convs = false;
        foreach (var node in weighted)
        {
            if (selection.ExcludedBecause(node) is { } excluded)
            {
                work.LeftFloat(node, excluded);
                continue;
            }

            var opType = node.OpType;
            var (reason, detail) = opType switch
            {
                "Gather" => (DynamicQuantizer.Gather(editor, context, node), "int8 table, rows dequantized after Gather"),
                "Conv" => ConvWeightOnly.Rewrite(editor, context, node, bits, convOpset),
                _ => (Rewrite(editor, context, node, bits, gptqRanges),
                    $"MatMulNBits, {bits}-bit blocks of {options.BlockSize}, {(options.BlockSymmetric ? "symmetric" : "asymmetric")}{(node.Input.Count > 1 && gptqRanges?.ContainsKey(node.Input[1]) == true ? ", GPTQ" : "")}"),
            };
            if (reason is null)
            {
                work.Quantized(node, detail!, opType);
                quantized = true;
                convs |= opType == "Conv";
            }
            else
            {
                work.LeftFloat(node, reason);
                if (opType is "MatMul" or "Gemm" && reason != ActivationProduct)
                {
                    work.Advise(DiagnosticCodes.OperatorLeftFloat, $"{opType} '{node.Name}' stays float: {reason}.");
                }
            }
        }

        if (quantized)
        {
            editor.Finish();
        }

        return convs;
    }

    private static string? Rewrite(GraphEditor editor, QuantizationContext context, NodeProto node, int bits, Dictionary<string, float[]>? gptqRanges)
    {
        if (GemmForm.TransARefusal(node, "MatMulNBits") is { } transposedA)
        {
            return transposedA;
        }

        if (MalformedNodes.Product(context, node) is { } malformed)
        {
            return malformed;
        }

        if (context.FloatConstant(node.Input[1]) is not { Dims.Count: 2 } b)
        {
            return context.IsConstant(node.Input[1]) ? "B is not a 2-D float32 constant" : ActivationProduct;
        }

        var gemm = GemmForm.Of(node, b.Dims)!;
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
