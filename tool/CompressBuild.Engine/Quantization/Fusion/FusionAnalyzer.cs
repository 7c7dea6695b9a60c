using CompressBuild.Engine.IO;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization.Fusion;

/// <summary>
/// Asks ONNX Runtime for its optimized graph of a quantized model (a session with an optimized-model path) and
/// counts what runs as an integer kernel and what stays float between DequantizeLinear and QuantizeLinear.
/// </summary>
public static class FusionAnalyzer
{
    /// <summary>Op types that compute on integers (ONNX and com.microsoft), the forms ORT's QDQ fusions and our dynamic/weight-only modes produce.</summary>
    public static IReadOnlySet<string> IntegerKernels { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "QLinearConv", "QLinearMatMul", "MatMulInteger", "ConvInteger", "MatMulIntegerToFloat", "DynamicQuantizeMatMul", "QGemm",
        "QLinearAdd", "QLinearMul", "QLinearConcat", "QLinearGlobalAveragePool", "QLinearAveragePool", "QLinearSigmoid",
        "QLinearLeakyRelu", "QLinearSoftmax", "QLinearWhere", "QLinearReduceMean", "QAttention", "DynamicQuantizeLSTM",
        "MatMulNBits", "QLinearConvTranspose", "NhwcQLinearConv",
    };

    /// <summary>Quantized op types ORT has an integer kernel for: when one of these is left float, it is reported.</summary>
    private static readonly HashSet<string> Fusable = new(StringComparer.Ordinal)
    {
        "Conv", "MatMul", "Gemm", "Add", "Mul", "Concat", "GlobalAveragePool", "AveragePool", "Sigmoid", "LeakyRelu", "Softmax",
    };

    /// <summary>
    /// The report for any model, without the quantizer's decisions (verification sees only the candidate file): a node of a
    /// fusable op type counts as quantized when one of its inputs comes from a DequantizeLinear of an activation (not of a
    /// weight), as our QDQ and ORT's own quantizer write it. Null when the model holds no Q/DQ and no integer kernel, so a
    /// float or pruned candidate carries no report.
    /// </summary>
    public static FusionReport? AnalyzeCandidate(OnnxModel candidate, SessionSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var nodes = Subgraphs.AllNodes(candidate.Graph).ToList();
        if (!nodes.Any(n => n.OpType is "QuantizeLinear" or "DequantizeLinear" or "DynamicQuantizeLinear" || IntegerKernels.Contains(n.OpType)))
        {
            return null;
        }

        // If/Loop/Scan bodies too: ONNX Runtime fuses QDQ inside them and saves them in the optimized model.
        var decisions = new List<NodeDecision>();
        foreach (var graph in Subgraphs.Graphs(candidate.Graph))
        {
            var index = GraphIndex.Build(graph);
            foreach (var node in graph.Node.Where(n => n.Name.Length > 0 && Fusable.Contains(n.OpType)))
            {
                var dequantizesActivation = node.Input.Any(i => i.Length > 0 && index.Producer(i) is { OpType: "DequantizeLinear" } dq && index.Producer(dq.Input[0]) is not null);
                decisions.Add(new NodeDecision(node.Name, node.OpType, dequantizesActivation, ""));
            }
        }

        return Analyze(candidate, decisions, settings);
    }

    public static FusionReport Analyze(OnnxModel quantized, IReadOnlyList<NodeDecision> decisions, SessionSettings? settings = null)
    {
        using var folder = new ScratchFolder("fusion");
        var path = folder.File("optimized.onnx");
        var session = (settings ?? SessionSettings.Default) with { OptimizedModelPath = path, IntraOpThreads = 1 };
        using (ModelSessions.Open(quantized, session))
        {
        }

        var optimized = OnnxModelReader.Load(path).Graph;
        var all = Subgraphs.AllNodes(optimized).ToList();
        var producers = all.SelectMany(n => n.Output.Select(o => (o, n))).GroupBy(p => p.o, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().n, StringComparer.Ordinal);
        var integer = new Dictionary<string, int>(StringComparer.Ordinal);
        var floatOps = new Dictionary<string, int>(StringComparer.Ordinal);
        var floatNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in all)
        {
            if (IntegerKernels.Contains(node.OpType))
            {
                integer[node.OpType] = integer.GetValueOrDefault(node.OpType) + 1;
            }
            else if (node.OpType is not ("QuantizeLinear" or "DequantizeLinear" or "DynamicQuantizeLinear")
                && node.Input.Any(i => producers.TryGetValue(i, out var p) && p.OpType == "DequantizeLinear"))
            {
                floatOps[node.OpType] = floatOps.GetValueOrDefault(node.OpType) + 1;
                floatNames.Add(node.Name);
            }
        }

        // A quantized node inside an If/Loop/Scan body is judged against the body that holds it.
        var byName = new Dictionary<string, (NodeProto Node, GraphIndex Index)>(StringComparer.Ordinal);
        foreach (var graph in Subgraphs.Graphs(quantized.Graph))
        {
            var graphIndex = GraphIndex.Build(graph);
            foreach (var node in graph.Node.Where(n => n.Name.Length > 0))
            {
                byName.TryAdd(node.Name, (node, graphIndex));
            }
        }

        var weights = Subgraphs.Graphs(quantized.Graph).SelectMany(g => g.Initializer.Select(i => i.Name)
            .Concat(g.Node.Where(n => n.OpType == "Constant").SelectMany(n => n.Output))).ToHashSet(StringComparer.Ordinal);
        var unfused = new List<UnfusedNode>();
        var quantizedConv = 0;
        foreach (var decision in decisions.Where(d => d.Quantized && Fusable.Contains(d.OpType)))
        {
            if (!byName.TryGetValue(decision.Node, out var found) || found.Node.OpType != decision.OpType)
            {
                continue;
            }

            // Weight-only float compute (a branch calibration never reached, latency placement's Cast and Mul) is said by its own
            // warning: only a node that reads a dequantized activation could have fused.
            if (!found.Node.Input.Any(i => i.Length > 0 && found.Index.Producer(i) is { OpType: "DequantizeLinear" } dq && !weights.Contains(dq.Input[0])))
            {
                continue;
            }

            quantizedConv += decision.OpType == "Conv" ? 1 : 0;
            if (floatNames.Contains(decision.Node))
            {
                unfused.Add(new UnfusedNode(decision.Node, decision.OpType, Reason(found.Node, found.Index)));
            }
        }

        var fusedConv = quantizedConv - unfused.Count(u => u.OpType == "Conv");
        return new FusionReport(Sorted(integer), Sorted(floatOps), unfused, quantizedConv, fusedConv);
    }

    private static List<FusionCount> Sorted(Dictionary<string, int> counts) =>
        counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new FusionCount(c.Key, c.Value)).ToList();

    /// <summary>Which of ORT's QDQ node-unit conditions the node misses, read from the graph we wrote.</summary>
    private static string Reason(NodeProto node, GraphIndex index)
    {
        var output = node.Output[0];
        var readers = index.Consumers(output);
        if (index.IsGraphOutput(output))
        {
            return "its output is an output of its graph (the model's, or an If/Loop/Scan body's), so no QuantizeLinear can be its only reader";
        }

        if (readers.Count == 0 || readers.All(r => r.OpType != "QuantizeLinear"))
        {
            return $"its output has no QuantizeLinear: the next op ({string.Join(", ", readers.Select(r => r.OpType).Distinct())}) has no int8 form here";
        }

        if (readers.Count > 1)
        {
            return $"its output is read by {readers.Count} nodes, and ONNX Runtime fuses only when a QuantizeLinear is the sole reader";
        }

        var notDequantized = node.Input.Where(i => i.Length > 0 && index.Producer(i)?.OpType != "DequantizeLinear").ToList();
        if (notDequantized.Count > 0)
        {
            return $"input(s) {string.Join(", ", notDequantized.Select(i => $"'{i}'"))} are not dequantized";
        }

        return "ONNX Runtime's rule for this op did not match (e.g. s8 activations with s8 weights, which its CPU QLinearConv does not take)";
    }
}
