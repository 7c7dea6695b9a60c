using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Operators;
using CompressBuild.Engine.Quantization.Selection;
using CompressBuild.Engine.Quantization.Weights;

namespace CompressBuild.Engine.Quantization.Dynamic;

/// <summary>
/// int8-dynamic: MatMul and Gemm with constant weights become com.microsoft DynamicQuantizeMatMul (weights
/// int8 per output column, the activation quantized to u8 per call inside the kernel: the form ONNX Runtime
/// runs fastest on CPU); Gemm's alpha folds into the weight scales and beta x C into the bias. Gather over a
/// constant table (embeddings) reads an int8 table and dequantizes the rows it picked. Conv becomes ConvInteger
/// (as ORT's quantize_dynamic does) for size: it is usually slower than float Conv on CPU, which CB4013 says, so
/// int8-static is the mode for fast CNNs.
/// </summary>
internal static class DynamicQuantizer
{
    /// <summary>Attention's Q x K^T and scores x V: no weight to quantize, so nothing to warn about.</summary>
    public const string ActivationProduct = "both inputs are computed at run time (no weight)";

    public static void Apply(QuantizationWork work, QuantizationOptions options)
    {
        var convs = 0;
        foreach (var graph in Subgraphs.All(work.Graph).ToList())
        {
            convs += ApplyTo(work, graph, options, ReferenceEquals(graph, work.Graph));
        }

        if (convs > 0)
        {
            work.Advise(DiagnosticCodes.SpeedupUnlikely, $"{convs} Conv node(s) became ConvInteger: 4x smaller weights, but ONNX Runtime's CPU ConvInteger is usually slower than its float Conv; for speed use --mode int8-static with calibration data.");
        }

        if (work.Decisions.Any(d => d.Quantized))
        {
            GraphEditor.EnsureOpset(work.Proto, GraphEditor.MicrosoftDomain, 1);
        }
    }

    /// <summary>Quantizes one graph (the main graph or an If/Loop/Scan body); returns how many Convs became ConvInteger.</summary>
    private static int ApplyTo(QuantizationWork work, GraphProto graph, QuantizationOptions options, bool main)
    {
        var index = GraphIndex.Build(graph);
        var context = new QuantizationContext(work.Model, index, options, perChannelAllowed: true);
        var order = index.TopologicalOrder();
        var weighted = order.Where(n => n.OpType is "MatMul" or "Gemm" or "Conv" or "Gather").ToList();
        var selection = new NodeSelection(options, graph, weighted, work.Model.DisplayName, validate: main);
        var editor = new GraphEditor(graph);
        var convs = 0;
        var quantized = false;
        foreach (var node in weighted)
        {
            if (selection.ExcludedBecause(node) is { } excluded)
            {
                work.LeftFloat(node, excluded);
                continue;
            }

            var opType = node.OpType;
            var reason = opType switch
            {
                "MatMul" => MatMul(editor, context, node),
                "Gemm" => Gemm(editor, context, node),
                "Gather" => Gather(editor, context, node),
                _ => Conv(editor, context, node),
            };
            if (reason is null)
            {
                work.Quantized(node, opType switch
                {
                    "Gather" => "int8 table, rows dequantized after Gather",
                    "Conv" => "ConvInteger, u8 weights per tensor, activation quantized per call (DynamicQuantizeLinear)",
                    _ => "DynamicQuantizeMatMul, int8 weights " + (options.PerChannel ? "per output column" : "per tensor"),
                }, opType);
                convs += opType == "Conv" ? 1 : 0;
                quantized = true;
                continue;
            }

            work.LeftFloat(node, reason);
            if (node.OpType != "Gather" && reason != ActivationProduct)
            {
                work.Advise(DiagnosticCodes.OperatorLeftFloat, $"{node.OpType} '{node.Name}' stays float: {reason}.");
            }
        }

        if (quantized)
        {
            editor.Finish();
        }

        return convs;
    }

    private static string? MatMul(GraphEditor editor, QuantizationContext context, NodeProto node)
    {
        if (MalformedNodes.Product(context, node) is { } malformed)
        {
            return malformed;
        }

        if (context.FloatConstant(node.Input[1]) is not { Dims.Count: 2 } b)
        {
            return context.IsConstant(node.Input[1]) ? "B is not a 2-D float32 constant" : ActivationProduct;
        }

        var values = TensorData.ToSingles(b, context.Model);
        Replace(editor, context, node, node.Input[0], values, b.Dims[0], b.Dims[1], b.Name, 1f, null);
        return null;
    }

    private static string? Gemm(GraphEditor editor, QuantizationContext context, NodeProto node)
    {
        if (GemmForm.TransARefusal(node, "DynamicQuantizeMatMul") is { } transposedA)
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
        var (k, n, alpha, beta) = (gemm.K, gemm.N, gemm.Alpha, gemm.Beta);
        var values = TensorData.ToSingles(b, context.Model);
        if (gemm.TransB)
        {
            values = MatrixTranspose.Of(values, (int)n, (int)k);
        }

        float[]? bias = null;
        string? addAfter = null;
        if (gemm.C is not null)
        {
            if (context.FloatConstant(gemm.C) is { Dims.Count: 1 } c && c.Dims[0] == n)
            {
                bias = TensorData.ToSingles(c, context.Model).Select(v => v * beta).ToArray();
            }
            else if (beta == 1f)
            {
                addAfter = gemm.C;
            }
            else
            {
                return "C is not a constant vector of N and beta is not 1";
            }
        }

        Replace(editor, context, node, node.Input[0], values, k, n, b.Name, alpha, bias, addAfter);
        return null;
    }

    /// <summary>
    /// Conv as DynamicQuantizeLinear -> ConvInteger (u8 x u8, per-tensor zero points) -> Cast -> Mul by
    /// x scale x w scale -> Add bias [1, M, 1...]: the form ONNX Runtime's quantize_dynamic writes and its CPU runs.
    /// </summary>
    private static string? Conv(GraphEditor editor, QuantizationContext context, NodeProto node)
    {
        if (node.Input.Count < 2 || context.FloatConstant(node.Input[1]) is not { Dims.Count: >= 3 } w)
        {
            return "weight is not a float32 constant";
        }

        if (context.Model.OpsetVersion("") < 11)
        {
            return $"DynamicQuantizeLinear needs opset 11 and the model uses {context.Model.OpsetVersion("")}";
        }

        float[]? bias = null;
        if (node.Input.Count > 2 && node.Input[2].Length > 0)
        {
            if (context.FloatConstant(node.Input[2]) is not { } b)
            {
                return "bias is not a float32 constant";
            }

            bias = TensorData.ToSingles(b, context.Model);
        }

        var name = w.Name;
        var quantized = WeightQuantization.Quantize(TensorData.ToSingles(w, context.Model), w.Dims, -1, QuantType.U8, symmetric: false);
        var data = editor.AddQuantizedInitializer(name + "_quantized", w.Dims, quantized.Data, QuantType.U8);
        var wScale = editor.AddScales(name + "_scale", quantized.Channels, vector: false);
        var wZero = editor.AddZeroPoints(name + "_zero_point", quantized.Channels, vector: false);
        var input = node.Input[0];
        string xq = editor.UniqueName(input + "_quantized"), xScale = editor.UniqueName(input + "_scale"), xZero = editor.UniqueName(input + "_zero_point");
        editor.AddNode("DynamicQuantizeLinear", [input], [xq, xScale, xZero], node.Name + "_DynamicQuantizeLinear");
        var output = node.Output[0];
        var integer = editor.UniqueName(output + "_int32");
        var conv = editor.AddNode("ConvInteger", [xq, data, xZero, wZero], [integer], node.Name + "_ConvInteger");
        conv.Attribute.Add(node.Attribute.Where(a => a.Name is "auto_pad" or "dilations" or "group" or "kernel_shape" or "pads" or "strides"));
        var asFloat = editor.UniqueName(output + "_float");
        NodeAttributes.SetInt(editor.AddNode("Cast", [integer], [asFloat], node.Name + "_Cast"), "to", (int)TensorProto.Types.DataType.Float);
        var scale = editor.UniqueName(output + "_scale");
        editor.AddNode("Mul", [xScale, wScale], [scale], node.Name + "_scale_Mul");
        var scaled = bias is null ? output : editor.UniqueName(output + "_scaled");
        editor.AddNode("Mul", [asFloat, scale], [scaled], node.Name + "_Mul");
        if (bias is not null)
        {
            var shape = new long[w.Dims.Count];
            Array.Fill(shape, 1L);
            shape[1] = bias.Length;
            editor.AddNode("Add", [scaled, editor.AddInitializer<float>(name + "_bias", shape, bias)], [output], node.Name + "_bias_Add");
        }

        editor.Graph.Node.Remove(node);
        return null;
    }

    internal static string? Gather(GraphEditor editor, QuantizationContext context, NodeProto node)
    {
        if (context.FloatConstant(node.Input[0]) is not { Dims.Count: 2 } table || NodeAttributes.Int(node, "axis", 0) != 0)
        {
            return "not an embedding lookup (a constant 2-D float32 table gathered on axis 0)";
        }

        var weights = WeightQuantization.Quantize(TensorData.ToSingles(table, context.Model), table.Dims, -1, QuantType.S8, symmetric: true);
        var data = editor.AddQuantizedInitializer(table.Name + "_quantized", table.Dims, weights.Data, QuantType.S8);
        var scale = editor.AddScales(table.Name + "_scale", weights.Channels, vector: false);
        var zero = editor.AddZeroPoints(table.Name + "_zero_point", weights.Channels, vector: false);
        var gathered = editor.UniqueName(node.Output[0] + "_quantized");
        var output = node.Output[0];
        node.Input[0] = data;
        node.Output[0] = gathered;
        editor.AddNode("DequantizeLinear", [gathered, scale, zero], [output], node.Name + "_DequantizeLinear");
        return null;
    }

    /// <summary>Rewrites <paramref name="node"/> in place as DynamicQuantizeMatMul over the [K, N] weights.</summary>
    private static void Replace(GraphEditor editor, QuantizationContext context, NodeProto node, string input, float[] weightsKn, long k, long n, string name, float alpha, float[]? bias, string? addAfter = null)
    {
        var options = context.Options;
        var quantized = WeightQuantization.Quantize(weightsKn, [k, n], options.PerChannel ? 1 : -1, options.WeightType, options.WeightSymmetric);
        var channels = alpha == 1f ? quantized.Channels : quantized.Channels.Select(c => c with { Scale = c.Scale * alpha }).ToArray();
        var data = editor.AddQuantizedInitializer(name + "_quantized", [k, n], quantized.Data, options.WeightType);
        var scale = editor.AddScales(name + "_scale", channels, options.PerChannel);
        var zero = editor.AddZeroPoints(name + "_zero_point", channels, options.PerChannel);
        var inputs = new List<string> { input, data, scale, zero };
        if (bias is not null)
        {
            inputs.Add(editor.AddInitializer<float>(name + "_bias", [n], bias));
        }

        var output = node.Output[0];
        node.Input.Clear();
        node.Input.Add(inputs);
        node.Attribute.Clear();
        node.OpType = "DynamicQuantizeMatMul";
        node.Domain = GraphEditor.MicrosoftDomain;
        if (addAfter is not null)
        {
            var product = editor.UniqueName(output + "_matmul");
            node.Output[0] = product;
            editor.AddNode("Add", [product, addAfter], [output], node.Name + "_bias_Add");
        }
    }
}
