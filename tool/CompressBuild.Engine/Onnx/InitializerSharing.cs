using CompressBuild.Engine.Onnx.Proto;
using Google.Protobuf;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// One initializer per distinct small constant a pass added: QDQ writes a scale and a zero point per quantized tensor, and
/// many of them are equal (the u8 zero point 0 of every tensor after a Relu, the s8 weight zero point 0, equal scales of
/// value-preserving ops). ONNX Runtime's QDQ selectors compare scales and zero points by value, not by name, and its own
/// ConstantSharing transformer merges equal scalar initializers the same way, so its fusions and outputs do not change.
/// Initializers that existed before the pass, graph inputs (which a caller may override) and outputs, and external data are left alone.
/// </summary>
internal static class InitializerSharing
{
    /// <summary>Larger constants (weights) are not compared: a quantizer already stores each weight once.</summary>
    private const int MaxBytes = 4096;

    /// <summary>Merges equal generated initializers in <paramref name="main"/> and each body; returns how many were removed.</summary>
    public static int Share(GraphProto main, KeptNames kept)
    {
        ArgumentNullException.ThrowIfNull(main);
        ArgumentNullException.ThrowIfNull(kept);
        var removed = 0;
        foreach (var graph in Subgraphs.Graphs(main).ToList())
        {
            removed += ShareIn(graph, kept);
        }

        return removed;
    }

    private static int ShareIn(GraphProto graph, KeptNames kept)
    {
        var boundary = graph.Input.Concat(graph.Output).Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var first = new Dictionary<ByteString, string>();
        var replaced = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tensor in graph.Initializer)
        {
            if (kept.Values.Contains(tensor.Name) || boundary.Contains(tensor.Name) || tensor.DataLocation == TensorProto.Types.DataLocation.External
                || tensor.CalculateSize() > MaxBytes)
            {
                continue;
            }

            var content = tensor.Clone();
            content.Name = "";
            var key = content.ToByteString();
            if (first.TryGetValue(key, out var same))
            {
                replaced[tensor.Name] = same;
            }
            else
            {
                first[key] = tensor.Name;
            }
        }

        if (replaced.Count == 0)
        {
            return 0;
        }

        foreach (var tensor in graph.Initializer.Where(t => replaced.ContainsKey(t.Name)).ToList())
        {
            graph.Initializer.Remove(tensor);
        }

        foreach (var info in graph.ValueInfo.Where(v => replaced.ContainsKey(v.Name)).ToList())
        {
            graph.ValueInfo.Remove(info);
        }

        // A body reads the graph's initializers by name, so its nodes are redirected too.
        foreach (var node in GraphNodes.All(graph))
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (replaced.TryGetValue(node.Input[i], out var target))
                {
                    node.Input[i] = target;
                }
            }
        }

        return replaced.Count;
    }
}
