using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// Cuts a capture stage's graph down to the nodes its layer inputs depend on. ONNX Runtime runs every node of a
/// session's graph whatever outputs a run asks for, so without the cut each stage paid for a whole model run; with
/// it an early stage runs only the front of the model.
/// </summary>
internal static class StageGraph
{
    /// <summary>
    /// A new model whose graph holds only the nodes <paramref name="wanted"/> depend on (names a subgraph reads from outside count as
    /// inputs; names in <paramref name="given"/> arrive from outside, a previous stage's spill, so their producers are not needed) and the
    /// initializers they read, with <paramref name="wanted"/> as its outputs. Nodes and initializers are shared with <paramref name="model"/>,
    /// not copied, so the result may be serialized but its nodes and tensors must not be changed; its lists (inputs, outputs, value infos)
    /// are its own. Each capture stage used to clone, serialize and hand ONNX Runtime every weight of the model (the recognizer's 10 MB,
    /// once per stage) for the few its nodes read.
    /// </summary>
    public static OnnxModel Cut(OnnxModel model, IReadOnlyList<string> wanted, IReadOnlySet<string> given)
    {
        var source = model.Graph;
        var keep = Ancestors(source, wanted, given);
        var graph = new GraphProto { Name = source.Name, DocString = source.DocString };
        graph.Node.Add(source.Node.Where((_, i) => keep[i]));
        var read = graph.Node.SelectMany(n => n.Input.Concat(NodeAttributes.Subgraphs(n).SelectMany(Reads))).ToHashSet(StringComparer.Ordinal);
        graph.Initializer.Add(source.Initializer.Where(t => read.Contains(t.Name)));
        graph.SparseInitializer.Add(source.SparseInitializer.Where(t => t.Values is { } values && read.Contains(values.Name)));
        // A graph input no kept node reads is left out, so a stage that starts from a spill is not fed the sample; so is an initializer an old
        // model also lists as a graph input, with its weight (each stage's cut of such a model carried every weight, and read the sample).
        graph.Input.Add(source.Input.Where(i => read.Contains(i.Name)).Select(i => i.Clone()));
        graph.ValueInfo.Add(source.ValueInfo.Select(v => v.Clone()));
        graph.QuantizationAnnotation.Add(source.QuantizationAnnotation.Select(a => a.Clone()));
        graph.MetadataProps.Add(source.MetadataProps.Select(m => m.Clone()));
        var known = source.ValueInfo.Concat(source.Input).Concat(source.Output).GroupBy(v => v.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var name in wanted.Distinct(StringComparer.Ordinal))
        {
            graph.Output.Add(known.TryGetValue(name, out var info) && info.Type?.TensorType is not null
                ? new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = info.Type.TensorType.ElemType } } }
                : new ValueInfoProto { Name = name });
        }

        var from = model.Proto;
        var proto = new ModelProto { Graph = graph, ProducerName = from.ProducerName, ProducerVersion = from.ProducerVersion, Domain = from.Domain, DocString = from.DocString };
        if (from.HasIrVersion)
        {
            proto.IrVersion = from.IrVersion;
        }

        if (from.HasModelVersion)
        {
            proto.ModelVersion = from.ModelVersion;
        }

        proto.OpsetImport.Add(from.OpsetImport.Select(o => o.Clone()));
        proto.MetadataProps.Add(from.MetadataProps.Select(m => m.Clone()));
        proto.Functions.Add(from.Functions);
        return new OnnxModel(proto, model.BaseDirectory, model.SourcePath);
    }

    private static bool[] Ancestors(GraphProto graph, IEnumerable<string> wanted, IReadOnlySet<string>? given)
    {
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < graph.Node.Count; i++)
        {
            foreach (var output in graph.Node[i].Output)
            {
                producer[output] = i;
            }
        }

        var keep = new bool[graph.Node.Count];
        var pending = new Stack<string>(wanted);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (!seen.Add(name) || given?.Contains(name) == true || !producer.TryGetValue(name, out var index) || keep[index])
            {
                continue;
            }

            keep[index] = true;
            var node = graph.Node[index];
            foreach (var input in node.Input.Concat(NodeAttributes.Subgraphs(node).SelectMany(Reads)))
            {
                pending.Push(input);
            }
        }

        return keep;
    }

    /// <summary>Every name a subgraph's nodes read, nested subgraphs included (a superset of what it reads from outside).</summary>
    public static IEnumerable<string> Reads(GraphProto body) =>
        body.Node.SelectMany(n => n.Input.Concat(NodeAttributes.Subgraphs(n).SelectMany(Reads)));
}
