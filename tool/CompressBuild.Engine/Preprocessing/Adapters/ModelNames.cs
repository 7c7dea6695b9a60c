using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>
/// Every name a model uses (values and nodes, in all graphs, since subgraphs see outer values) and which values
/// are read, so new names never collide and adapters know whether an output they would drop matters.
/// </summary>
internal sealed class ModelNames
{
    private readonly HashSet<string> taken = new(StringComparer.Ordinal);
    private readonly HashSet<string> used = new(StringComparer.Ordinal);

    public ModelNames(GraphProto graph) => Collect(graph);

    public string Unique(string wanted)
    {
        var name = wanted;
        for (var i = 1; !taken.Add(name); i++)
        {
            name = $"{wanted}_{i}";
        }

        return name;
    }

    public bool IsUsed(string value) => used.Contains(value);

    private void Collect(GraphProto graph)
    {
        taken.UnionWith(graph.Input.Select(i => i.Name));
        taken.UnionWith(graph.Initializer.Select(i => i.Name));
        taken.UnionWith(graph.ValueInfo.Select(v => v.Name));
        foreach (var output in graph.Output)
        {
            taken.Add(output.Name);
            used.Add(output.Name);
        }

        foreach (var node in graph.Node)
        {
            taken.UnionWith(node.Output);
            taken.Add(node.Name);
            foreach (var input in node.Input)
            {
                taken.Add(input);
                used.Add(input);
            }

            foreach (var body in NodeAttributes.Subgraphs(node))
            {
                Collect(body);
            }
        }
    }
}
