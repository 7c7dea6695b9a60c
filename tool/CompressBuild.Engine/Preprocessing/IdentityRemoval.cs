using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing;

/// <summary>
/// Identity nodes, and Dropout nodes in inference (their mask unread, not in training mode), pass their input
/// through unchanged: their readers are pointed at the input and the nodes removed. A node whose output is a
/// graph output stays when its input is a graph input or initializer (the output name must survive).
/// </summary>
internal static class IdentityRemoval
{
    public static (int Identities, int Dropouts) Run(GraphProto graph)
    {
        var identities = 0;
        var dropouts = 0;
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var read = GraphValues.ReadNames(graph);
        foreach (var node in graph.Node.ToList())
        {
            if (!GraphValues.IsDefaultDomain(node) || node.Input.Count == 0 || node.Input[0].Length == 0 || !IsPassThrough(node, graph, read))
            {
                continue;
            }

            var input = node.Input[0];
            var output = node.Output[0];
            if (outputs.Contains(output))
            {
                // Keep the graph output's name: let the producer of the input write it directly, when it may.
                var producer = graph.Node.FirstOrDefault(n => n.Output.Contains(input));
                if (producer is null || outputs.Contains(input) || NodeAttributes.Subgraphs(producer).Any())
                {
                    continue;
                }

                producer.Output[producer.Output.IndexOf(input)] = output;
                graph.Node.Remove(node);
                GraphValues.RenameUses(graph, input, output);
            }
            else
            {
                graph.Node.Remove(node);
                GraphValues.RenameUses(graph, output, input);
            }

            if (node.OpType == "Identity")
            {
                identities++;
            }
            else
            {
                dropouts++;
            }
        }

        return (identities, dropouts);
    }

    private static bool IsPassThrough(NodeProto node, GraphProto graph, HashSet<string> read)
    {
        if (node.OpType == "Identity")
        {
            return node.Output.Count == 1;
        }

        if (node.OpType != "Dropout")
        {
            return false;
        }

        // A training_mode input (opset 12+) other than a constant false may make the node random.
        if (node.Input.Count > 2 && node.Input[2].Length > 0)
        {
            var training = graph.Initializer.FirstOrDefault(t => t.Name == node.Input[2]);
            if (training is null || training.RawData.Span.ToArray().Any(b => b != 0) || training.Int32Data.Any(v => v != 0))
            {
                return false;
            }
        }

        return node.Output.Count == 1 || node.Output.Skip(1).All(o => o.Length == 0 || !read.Contains(o));
    }
}
