using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing;

/// <summary>Whole-graph helpers the transformations share: who reads a value (subgraphs included) and renaming its uses.</summary>
internal static class GraphValues
{
    /// <summary>Names read by any node of the graph or its subgraphs, and the graph's outputs.</summary>
    public static HashSet<string> ReadNames(GraphProto graph)
    {
        var read = new HashSet<string>(StringComparer.Ordinal);
        Collect(graph, read);
        return read;
    }

    /// <summary>Replaces every read of <paramref name="from"/> by <paramref name="to"/>, inside subgraphs too.</summary>
    public static void RenameUses(GraphProto graph, string from, string to)
    {
        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == from)
                {
                    node.Input[i] = to;
                }
            }

            foreach (var body in NodeAttributes.Subgraphs(node))
            {
                RenameUses(body, from, to);
                foreach (var output in body.Output.Where(o => o.Name == from))
                {
                    output.Name = to;
                }
            }
        }
    }

    public static bool IsDefaultDomain(NodeProto node) => node.Domain is "" or "ai.onnx";

    private static void Collect(GraphProto graph, HashSet<string> read)
    {
        foreach (var output in graph.Output)
        {
            read.Add(output.Name);
        }

        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input)
            {
                if (input.Length > 0)
                {
                    read.Add(input);
                }
            }

            foreach (var body in NodeAttributes.Subgraphs(node))
            {
                Collect(body, read);
            }
        }
    }
}
