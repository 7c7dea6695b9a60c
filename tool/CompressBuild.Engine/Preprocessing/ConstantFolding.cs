using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;
using Google.Protobuf;

namespace CompressBuild.Engine.Preprocessing;

/// <summary>
/// Replaces every node of the main graph whose inputs are all constant by initializers holding its outputs.
/// Shape and Size of a value whose shape is fully static count as constant too (computed here from the inferred
/// shape), which is what makes exporters' Shape-Gather-Concat-Reshape chains fold. The constant subgraph is
/// evaluated by ONNX Runtime in one run (every op it has a kernel for, exactly as at inference), rather than by
/// evaluators of our own that could drift from ORT's. Random ops, quantize/dequantize pairs (kept for the
/// quantizer), control flow, sequences and ops that expand data (ConstantOfShape, Expand, Tile, Range...) are
/// left alone, as are nodes producing graph outputs.
/// </summary>
internal static class ConstantFolding
{
    private static readonly HashSet<string> Excluded = new(StringComparer.Ordinal)
    {
        "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli", "Dropout",
        "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "If", "Loop", "Scan",
        "ConstantOfShape", "Expand", "Tile", "Range", "OneHot", "Resize", "Upsample", "EyeLike", "Constant",
    };

    public static int Run(OnnxModel model, ValueShapes shapes, long maxBytes, List<PreprocessAdvisory> advisories)
    {
        var graph = model.Graph;
        var graphInputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var constants = graph.Initializer.Where(t => !graphInputs.Contains(t.Name)).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var computed = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        var folded = new List<NodeProto>();
        foreach (var node in GraphIndex.Build(graph).TopologicalOrder())
        {
            if (!GraphValues.IsDefaultDomain(node) || node.Output.Any(graphOutputs.Contains) || node.Output.Count == 0)
            {
                continue;
            }

            if (node.OpType is "Shape" or "Size" && node.Input.Count == 1 && !constants.Contains(node.Input[0]) && shapes.Get(node.Input[0]) is { IsStatic: true } known)
            {
                computed[node.Output[0]] = StaticShape(node, known.Dims!);
                constants.Add(node.Output[0]);
                folded.Add(node);
                continue;
            }

            if (Excluded.Contains(node.OpType) || node.OpType.Contains("Sequence", StringComparison.Ordinal) || node.OpType.StartsWith("Optional", StringComparison.Ordinal)
                || NodeAttributes.Subgraphs(node).Any() || !node.Input.All(i => i.Length == 0 || constants.Contains(i)) || node.Input.All(i => i.Length == 0))
            {
                continue;
            }

            folded.Add(node);
            constants.UnionWith(node.Output.Where(o => o.Length > 0));
        }

        if (folded.Count == 0)
        {
            return 0;
        }

        var foldedSet = folded.ToHashSet(ReferenceEqualityComparer.Instance);
        var keptReads = new HashSet<string>(StringComparer.Ordinal);
        var kept = new GraphProto();
        kept.Node.Add(graph.Node.Where(n => !foldedSet.Contains(n)));
        kept.Output.Add(graph.Output);
        keptReads.UnionWith(GraphValues.ReadNames(kept));
        var needed = folded.SelectMany(n => n.Output).Where(o => o.Length > 0 && keptReads.Contains(o)).Distinct(StringComparer.Ordinal).ToList();

        Dictionary<string, TensorProto> values;
        try
        {
            values = Evaluate(model, folded.Where(n => !computed.ContainsKey(n.Output[0])).ToList(), computed, needed);
        }
        catch (Exception e) when (e is OrtException or CompressBuildException)
        {
            advisories.Add(new PreprocessAdvisory(DiagnosticCodes.ConstantFoldingSkipped.Id,
                $"constant folding skipped: ONNX Runtime could not evaluate the constant part of the graph ({FirstLine(e.Message)})."));
            return 0;
        }

        var bytes = values.Values.Sum(v => (long)v.CalculateSize());
        if (bytes > maxBytes)
        {
            advisories.Add(new PreprocessAdvisory(DiagnosticCodes.ConstantFoldingSkipped.Id,
                $"constant folding skipped: the folded values would take {bytes >> 20} MiB, more than the {maxBytes >> 20} MiB allowed."));
            return 0;
        }

        foreach (var node in folded)
        {
            graph.Node.Remove(node);
        }

        foreach (var name in needed)
        {
            var tensor = values[name];
            tensor.Name = name;
            graph.Initializer.Add(tensor);
        }

        return folded.Count;
    }

    private static Dictionary<string, TensorProto> Evaluate(OnnxModel model, List<NodeProto> nodes, Dictionary<string, TensorProto> computed, List<string> needed)
    {
        var result = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var name in needed.Where(computed.ContainsKey))
        {
            result[name] = computed[name].Clone();
        }

        var toRun = needed.Where(n => !computed.ContainsKey(n)).ToList();
        if (toRun.Count == 0)
        {
            return result;
        }

        var reads = nodes.SelectMany(n => n.Input).Where(i => i.Length > 0).ToHashSet(StringComparer.Ordinal);
        var graph = new GraphProto { Name = "constant_subgraph" };
        graph.Node.Add(nodes.Select(n => n.Clone()));
        graph.Initializer.Add(model.Graph.Initializer.Where(t => reads.Contains(t.Name)).Select(t => t.Clone()));
        graph.Initializer.Add(computed.Where(kv => reads.Contains(kv.Key)).Select(kv => kv.Value.Clone()));
        foreach (var name in toRun)
        {
            graph.Output.Add(new ValueInfoProto { Name = name });
        }

        var proto = new ModelProto { IrVersion = model.Proto.IrVersion, Graph = graph };
        proto.OpsetImport.Add(model.Proto.OpsetImport);
        var subModel = new OnnxModel(proto, model.BaseDirectory, model.SourcePath);
        using var session = ModelSessions.Open(subModel, new SessionSettings { IntraOpThreads = 1, InterOpThreads = 1, OptimizationLevel = GraphOptimizationLevel.None });
        var outputs = session.Run([], toRun);
        for (var i = 0; i < toRun.Count; i++)
        {
            result[toRun[i]] = outputs[i].ToProto();
        }

        return result;
    }

    /// <summary>Shape (with Shape-15's start/end) or Size of a value of known static dimensions.</summary>
    private static TensorProto StaticShape(NodeProto node, IReadOnlyList<long> dims)
    {
        if (node.OpType == "Size")
        {
            return TensorData.FromArray<long>(node.Output[0], [], [dims.Aggregate(1L, (a, d) => a * d)]);
        }

        var rank = dims.Count;
        long Clamp(long v) => Math.Clamp(v < 0 ? v + rank : v, 0, rank);
        var start = (int)Clamp(NodeAttributes.Int(node, "start", 0));
        var end = (int)Clamp(NodeAttributes.Int(node, "end", rank));
        var slice = dims.Skip(start).Take(Math.Max(0, end - start)).ToArray();
        return TensorData.FromArray<long>(node.Output[0], [slice.Length], slice);
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
