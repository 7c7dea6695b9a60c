using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Operators;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>
/// The value of a weight that an exporter computes from constants inside a subgraph instead of storing it: PyTorch's
/// LSTM export slices weight_ih/weight_hh into gates and concatenates them in ONNX's i-o-f-c order, in the branch that
/// runs the LSTM, reading the weights from an enclosing graph. Preprocessing folds only the main graph, so the chain
/// is folded here, by ONNX Runtime in one run (the same kernels as at inference), with outer-scope constants as leaves.
/// </summary>
internal static class ConstantChain
{
    /// <summary>Longer chains are not the reshuffling of a weight but real computation, which stays as it is.</summary>
    private const int MaxNodes = 64;

    /// <summary>
    /// The float tensor behind <paramref name="value"/>: a constant, or the result of the constant-only nodes that
    /// produce it (every leaf an initializer or Constant of this graph or of an enclosing one); null with
    /// <paramref name="reason"/> otherwise. <paramref name="source"/> names the largest leaf (the stored weight the
    /// chain reshuffles, or <paramref name="value"/> itself). The chain's nodes stay in the graph; once nothing reads
    /// them the driver drops them.
    /// </summary>
    public static TensorProto? Fold(QuantizationContext context, string value, out string source, out string? reason)
    {
        reason = null;
        source = value;
        if (context.FloatConstant(value) is { } direct)
        {
            return direct;
        }

        var index = context.Index;
        var nodes = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        var leaves = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        var pending = new Stack<string>([value]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Dictionary<string, TensorProto>? outer = null;
        while (pending.TryPop(out var name))
        {
            if (name.Length == 0 || !seen.Add(name))
            {
                continue;
            }

            if (index.TryGetConstant(name, out var tensor))
            {
                leaves[name] = tensor;
            }
            else if (index.Producer(name) is { } node)
            {
                if (!Foldable(node) || (nodes.Add(node) && nodes.Count > MaxNodes))
                {
                    reason = $"it is computed at run time ({node.OpType} '{node.Name}' is not a constant computation)";
                    return null;
                }

                foreach (var input in node.Input)
                {
                    pending.Push(input);
                }
            }
            else if (!index.IsGraphInput(name) && (outer ??= OuterInitializers(context.Model.Graph)).TryGetValue(name, out tensor))
            {
                leaves[name] = tensor;
            }
            else
            {
                reason = $"it depends on '{name}', which is computed at run time";
                return null;
            }
        }

        source = leaves.Count == 0 ? value : leaves.MaxBy(l => l.Value.CalculateSize()).Key;
        var folded = Evaluate(context.Model, index.Graph.Node.Where(nodes.Contains).ToList(), leaves, value, out reason);
        if (folded is not null && folded.DataType != (int)TensorProto.Types.DataType.Float)
        {
            reason = "it is not float32";
            return null;
        }

        return folded;
    }

    private static bool Foldable(NodeProto node) =>
        node.Domain is "" or "ai.onnx" && !NodeAttributes.Subgraphs(node).Any() && !node.OpType.StartsWith("Random", StringComparison.Ordinal)
        && node.OpType is not ("Multinomial" or "Bernoulli" or "Dropout");

    /// <summary>
    /// Initializers of every graph of the model by name (ONNX names are unique across a graph and its bodies), but not
    /// those a graph input of the same name lets the caller override: those are not constants.
    /// </summary>
    private static Dictionary<string, TensorProto> OuterInitializers(GraphProto main)
    {
        var all = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var graph in Subgraphs.Graphs(main))
        {
            var inputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var initializer in graph.Initializer.Where(i => !inputs.Contains(i.Name)))
            {
                all.TryAdd(initializer.Name, initializer);
            }
        }

        return all;
    }

    private static TensorProto? Evaluate(OnnxModel model, List<NodeProto> nodes, Dictionary<string, TensorProto> leaves, string value, out string? reason)
    {
        reason = null;
        var graph = new GraphProto { Name = "weight_chain" };
        graph.Node.Add(nodes.Select(n => n.Clone()));
        foreach (var (name, leaf) in leaves)
        {
            var copy = leaf.Clone();
            copy.Name = name;
            graph.Initializer.Add(copy);
        }

        graph.Output.Add(new ValueInfoProto { Name = value });
        var proto = new ModelProto { IrVersion = model.Proto.IrVersion, Graph = graph };
        proto.OpsetImport.Add(model.Proto.OpsetImport);
        try
        {
            using var session = ModelSessions.Open(new OnnxModel(proto, model.BaseDirectory, model.SourcePath),
                new SessionSettings { IntraOpThreads = 1, InterOpThreads = 1, OptimizationLevel = GraphOptimizationLevel.None });
            var tensor = session.Run([], [value])[0].ToProto();
            tensor.Name = value;
            return tensor;
        }
        catch (Exception e) when (e is OrtException or CompressBuildException)
        {
            reason = $"ONNX Runtime could not fold the constant nodes that compute it ({e.Message.Split('\n')[0]})";
            return null;
        }
    }
}
