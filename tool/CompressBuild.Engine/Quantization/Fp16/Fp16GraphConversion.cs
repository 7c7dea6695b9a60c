using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Selection;

namespace CompressBuild.Engine.Quantization.Fp16;

/// <summary>
/// Rewrites one graph (the main graph, or an If/Loop/Scan body) to float16: float32 weights of converted nodes
/// become float16, every op outside the block list and the unsafe set computes in float16, and values crossing
/// between float16 and float32 ops get one Cast each. A subgraph's inputs, outputs and the outer values it reads
/// stay float32, so the node that owns it sees the types it had; its body is converted by the same rules.
/// </summary>
internal sealed class Fp16GraphConversion
{
    private const int Float = (int)TensorProto.Types.DataType.Float;
    private const int Half = (int)TensorProto.Types.DataType.Float16;

    private readonly QuantizationWork work;
    private readonly QuantizationOptions options;
    private readonly NodeSelection selection;
    private readonly IReadOnlyDictionary<string, string> unsafeNodes;
    private int subgraphs;

    /// <param name="unsafeNodes">Node name to the reason it stays float32 (out of float16's range, or measured to diverge).</param>
    public Fp16GraphConversion(QuantizationWork work, QuantizationOptions options, NodeSelection selection, IReadOnlyDictionary<string, string> unsafeNodes)
    {
        this.work = work;
        this.options = options;
        this.selection = selection;
        this.unsafeNodes = unsafeNodes;
    }

    /// <summary>Converts <paramref name="graph"/>; <paramref name="outer"/> holds the element types of the enclosing scopes' values (empty for the main graph).</summary>
    public void Convert(GraphProto graph, IReadOnlyDictionary<string, int> outer, bool isSubgraph)
    {
        // Names this graph adds carry a per-subgraph prefix: nested bodies casting the same outer value would
        // otherwise each define '<value>_fp16', and ONNX wants every name defined once across the model.
        var prefix = isSubgraph ? $"fp16_body{++subgraphs}/" : "";
        var types = ValueTypes.Infer(graph, outer);

        var order = GraphIndex.Build(graph).TopologicalOrder();
        var blockList = options.Fp16BlockList.ToHashSet(StringComparer.Ordinal);
        var readBySubgraphs = Fp16Ranges.OuterReferences(graph);
        var editor = new GraphEditor(graph);
        var blocked = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        var converted = 0;
        foreach (var node in order)
        {
            var touchesFloat = node.Input.Concat(node.Output).Any(v => types.GetValueOrDefault(v) == Float);
            var hasSubgraphs = node.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0);
            var reason = selection.ExcludedBecause(node)
                ?? unsafeNodes.GetValueOrDefault(node.Name)
                ?? (blockList.Contains(node.OpType) ? "on the fp16 block list (numerically fragile)" : null)
                ?? (node.Domain is not ("" or "ai.onnx") ? "not a standard-domain op" : null)
                ?? (hasSubgraphs ? "owns subgraphs (its body is converted; its own inputs and outputs stay float32)" : null)
                ?? (node.Output.Any(readBySubgraphs.Contains) ? "its output is read inside a subgraph, whose boundary stays float32" : null)
                ?? (node.OpType == "Constant" && node.Attribute.All(a => a.Name != "value") ? "a Constant without a tensor value" : null)
                ?? (node.OpType == "Constant" && GraphIndex.ConstantNodeValue(node) is { DataType: Float } value && !Fp16Ranges.FitsHalf(TensorData.ToSingles(value, work.Model))
                    ? "holds values outside float16's range" : null);
            if (reason is not null)
            {
                blocked.Add(node);
                if (touchesFloat && !hasSubgraphs)
                {
                    work.LeftFloat(node, reason);
                }
            }
            else if (touchesFloat)
            {
                work.Quantized(node, "float16");
                converted++;
            }

            if (hasSubgraphs)
            {
                foreach (var attribute in node.Attribute)
                {
                    foreach (var body in attribute.G is null ? attribute.Graphs : attribute.Graphs.Append(attribute.G))
                    {
                        Convert(body, types, isSubgraph: true);
                    }
                }
            }
        }

        if (converted == 0)
        {
            return;
        }

        var half = new HashSet<string>(StringComparer.Ordinal);
        var consumers = GraphIndex.Build(graph);
        foreach (var initializer in graph.Initializer.Where(i => i.DataType == Float && !readBySubgraphs.Contains(i.Name)).ToList())
        {
            if (consumers.Consumers(initializer.Name).Any(c => !blocked.Contains(c)))
            {
                var values = TensorData.ToSingles(initializer, work.Model);
                graph.Initializer[graph.Initializer.IndexOf(initializer)] = TensorData.FromArray<Half>(initializer.Name, initializer.Dims.ToArray(), values.Select(v => (Half)v).ToArray());
                half.Add(initializer.Name);
            }
        }

        if (!options.KeepIoTypes && !isSubgraph)
        {
            foreach (var input in graph.Input.Where(i => i.Type?.TensorType?.ElemType == Float && !half.Contains(i.Name) && !readBySubgraphs.Contains(i.Name)))
            {
                input.Type.TensorType.ElemType = Half;
                half.Add(input.Name);
            }
        }

        foreach (var node in order.Where(n => !blocked.Contains(n)))
        {
            foreach (var output in node.Output.Where(o => types.GetValueOrDefault(o) == Float))
            {
                half.Add(output);
            }

            if (node.OpType == "Cast" && NodeAttributes.Int(node, "to", 0) == Float)
            {
                NodeAttributes.Find(node, "to")!.I = Half;
            }

            foreach (var attribute in node.Attribute.Where(a => (node.OpType == "ConstantOfShape" && a.Name == "value") || (node.OpType == "Constant" && a.Name == "value")))
            {
                if (attribute.T is { DataType: Float } tensor)
                {
                    var v = TensorData.ToSingles(tensor, work.Model);
                    attribute.T = TensorData.FromArray<Half>(tensor.Name, tensor.Dims.ToArray(), v.Select(x => (Half)x).ToArray());
                }
            }
        }

        // Graph outputs computed in float16: the producer writes <name>_fp16 and a Cast restores float32 under the original name.
        var exempt = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        foreach (var output in graph.Output.Where(o => half.Contains(o.Name)))
        {
            if (!options.KeepIoTypes && !isSubgraph)
            {
                output.Type.TensorType.ElemType = Half;
                continue;
            }

            var renamed = editor.UniqueName(prefix + output.Name + "_fp16");
            foreach (var node in graph.Node)
            {
                Rename(node.Input, output.Name, renamed);
                Rename(node.Output, output.Name, renamed);
            }

            half.Remove(output.Name);
            half.Add(renamed);
            var cast = editor.AddNode("Cast", [renamed], [output.Name], output.Name + "_Cast_to_float");
            NodeAttributes.SetInt(cast, "to", Float);
            exempt.Add(cast);
        }

        var casts = new Dictionary<(string, int), string>();
        foreach (var node in graph.Node.ToList())
        {
            if (exempt.Contains(node))
            {
                continue;
            }

            var wantsHalf = !blocked.Contains(node);
            for (var i = 0; i < node.Input.Count; i++)
            {
                var value = node.Input[i];
                var isFloat = types.GetValueOrDefault(value) == Float || half.Contains(value);
                if (value.Length == 0 || !isFloat || half.Contains(value) == wantsHalf)
                {
                    continue;
                }

                var to = wantsHalf ? Half : Float;
                if (!casts.TryGetValue((value, to), out var cast))
                {
                    cast = editor.UniqueName(prefix + value + (wantsHalf ? "_fp16" : "_fp32"));
                    var castNode = editor.AddNode("Cast", [value], [cast], cast + "_Cast");
                    NodeAttributes.SetInt(castNode, "to", to);
                    casts[(value, to)] = cast;
                }

                node.Input[i] = cast;
            }
        }

        foreach (var info in graph.ValueInfo.Where(v => half.Contains(v.Name) && v.Type?.TensorType is not null))
        {
            info.Type.TensorType.ElemType = Half;
        }

        editor.Finish();
    }

    private static void Rename(Google.Protobuf.Collections.RepeatedField<string> names, string from, string to)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == from)
            {
                names[i] = to;
            }
        }
    }
}
