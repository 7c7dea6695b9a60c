using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing;

/// <summary>Initializers nothing reads (left over after folding, or shipped by the exporter) are dropped, with their graph-input entries.</summary>
internal static class UnusedInitializerRemoval
{
    public static int Run(GraphProto graph)
    {
        var read = GraphValues.ReadNames(graph);
        var unused = graph.Initializer.Where(t => !read.Contains(t.Name)).ToList();
        foreach (var tensor in unused)
        {
            graph.Initializer.Remove(tensor);
            if (graph.Input.FirstOrDefault(i => i.Name == tensor.Name) is { } input)
            {
                graph.Input.Remove(input);
            }
        }

        return unused.Count;
    }
}
