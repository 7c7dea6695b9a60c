using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// Gives every value, initializer and node a pass added a short name: the next free base-36 counter ("0", "1", ...
/// "z", "10"...), in graph order, so the same model gives the same names. A generated node takes the name of the
/// value it writes when that value is generated too (node and value names are separate namespaces in ONNX), so a
/// kernel in ONNX Runtime's profile names the tensor it produced. Names that existed before the pass (<see cref="KeptNames"/>:
/// graph inputs and outputs, the user's nodes and tensors) are never changed. Long derived names such as
/// <c>p2o.Conv.0_bias_bn_DequantizeLinear</c> took about a quarter of a small int8 model's bytes.
/// </summary>
internal static class GeneratedNames
{
    /// <summary>Renames everything in <paramref name="main"/> and its bodies that <paramref name="kept"/> does not hold; returns how many names changed.</summary>
    public static int Compact(GraphProto main, KeptNames kept)
    {
        ArgumentNullException.ThrowIfNull(main);
        ArgumentNullException.ThrowIfNull(kept);
        var renamer = new Renamer(kept);
        foreach (var graph in Subgraphs.Graphs(main))
        {
            renamer.Collect(graph);
        }

        foreach (var graph in Subgraphs.Graphs(main))
        {
            renamer.Apply(graph);
        }

        return renamer.Count;
    }

    /// <summary>The base-36 spelling of <paramref name="index"/>: 0 -> "0", 35 -> "z", 36 -> "10".</summary>
    public static string Base36(long index)
    {
        const string Digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        Span<char> buffer = stackalloc char[16];
        var at = buffer.Length;
        do
        {
            buffer[--at] = Digits[(int)(index % 36)];
            index /= 36;
        }
        while (index > 0);
        return new string(buffer[at..]);
    }

    private sealed class Renamer(KeptNames kept)
    {
        private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);
        private readonly Dictionary<NodeProto, string> nodes = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<string> nodeNamesTaken = new(kept.Nodes, StringComparer.Ordinal);
        private long next;

        public int Count => values.Count + nodes.Count;

        public void Collect(GraphProto graph)
        {
            foreach (var value in graph.Input.Select(v => v.Name))
            {
                Value(value);
            }

            foreach (var tensor in graph.Initializer)
            {
                Value(tensor.Name);
            }

            foreach (var node in graph.Node)
            {
                foreach (var value in node.Input.Concat(node.Output))
                {
                    Value(value);
                }

                if (node.Name.Length == 0 || kept.Nodes.Contains(node.Name))
                {
                    continue;
                }

                var written = node.Output.FirstOrDefault(o => o.Length > 0);
                var name = written is not null && values.TryGetValue(written, out var renamed) && !nodeNamesTaken.Contains(renamed) ? renamed : Fresh(nodeNamesTaken);
                nodeNamesTaken.Add(name);
                nodes[node] = name;
            }

            foreach (var value in graph.Output.Select(v => v.Name))
            {
                Value(value);
            }
        }

        public void Apply(GraphProto graph)
        {
            foreach (var info in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo))
            {
                info.Name = Renamed(info.Name);
            }

            foreach (var tensor in graph.Initializer)
            {
                tensor.Name = Renamed(tensor.Name);
            }

            foreach (var sparse in graph.SparseInitializer)
            {
                sparse.Values?.Name = Renamed(sparse.Values.Name);
                sparse.Indices?.Name = Renamed(sparse.Indices.Name);
            }

            foreach (var annotation in graph.QuantizationAnnotation)
            {
                annotation.TensorName = Renamed(annotation.TensorName);
            }

            foreach (var node in graph.Node)
            {
                for (var i = 0; i < node.Input.Count; i++)
                {
                    node.Input[i] = Renamed(node.Input[i]);
                }

                for (var i = 0; i < node.Output.Count; i++)
                {
                    node.Output[i] = Renamed(node.Output[i]);
                }

                if (nodes.TryGetValue(node, out var name))
                {
                    node.Name = name;
                }
            }
        }

        private string Renamed(string value) => values.GetValueOrDefault(value, value);

        private void Value(string value)
        {
            if (value.Length > 0 && !kept.Values.Contains(value) && !values.ContainsKey(value))
            {
                values[value] = Fresh(kept.Values);
            }
        }

        /// <summary>The next counter name that no kept name (of the namespace <paramref name="taken"/>) already spells.</summary>
        private string Fresh(HashSet<string> taken)
        {
            while (true)
            {
                var name = Base36(next++);
                if (!taken.Contains(name) && !kept.Values.Contains(name) && !kept.Nodes.Contains(name))
                {
                    return name;
                }
            }
        }
    }
}
