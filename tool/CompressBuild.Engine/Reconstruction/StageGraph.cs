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
    /// Removes from <paramref name="graph"/> every node none of <paramref name="wanted"/> depends on (names a subgraph reads from
    /// outside count as inputs); names in <paramref name="given"/> arrive from outside (a previous stage's spill), so their producers
    /// are not needed for them.
    /// </summary>
    public static void KeepAncestors(GraphProto graph, IEnumerable<string> wanted, IReadOnlySet<string>? given = null)
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

        for (var i = graph.Node.Count - 1; i >= 0; i--)
        {
            if (!keep[i])
            {
                graph.Node.RemoveAt(i);
            }
        }
    }

    /// <summary>Every name a subgraph's nodes read, nested subgraphs included (a superset of what it reads from outside).</summary>
    public static IEnumerable<string> Reads(GraphProto body) =>
        body.Node.SelectMany(n => n.Input.Concat(NodeAttributes.Subgraphs(n).SelectMany(Reads)));
}
