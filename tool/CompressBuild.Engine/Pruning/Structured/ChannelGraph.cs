using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// The channel dependency graph's core: one node per channel of every value that carries channels produced by a
/// prunable layer, joined (union-find) wherever two channels must be removed together. How each op moves
/// channels (Conv, Gemm, residual Add, Concat, BatchNormalization, Flatten...) is its <see cref="IChannelRule"/>,
/// found in <see cref="Rules.ChannelRules"/>. A component is one removable channel; everything it touches is
/// recorded as <see cref="TensorSlice"/>s. Channels reaching a model output, an excluded node, or an op no rule
/// follows are protected, never guessed.
/// </summary>
internal sealed class ChannelGraph
{
    private readonly OnnxModel model;
    private readonly IReadOnlyDictionary<string, long[]> shapes;
    private readonly Dictionary<string, TensorProto> constants;
    private readonly NodeExclusions excluded;
    private readonly Dictionary<string, ChannelSpace> spaces = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> protectedReasons = [];

    private ChannelGraph(OnnxModel model, IReadOnlyDictionary<string, long[]> shapes, NodeExclusions excluded)
    {
        this.model = model;
        this.shapes = shapes;
        this.excluded = excluded;
        var inputs = model.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        constants = model.Graph.Initializer.Where(t => !inputs.Contains(t.Name)).GroupBy(t => t.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
    }

    public UnionFind Channels { get; } = new();

    public List<ChannelSpace> Spaces { get; } = [];

    public List<TensorSlice> Slices { get; } = [];

    /// <summary>Depthwise Conv nodes whose <c>group</c> must follow their (pruned) input channel count.</summary>
    public List<NodeProto> DepthwiseNodes { get; } = [];

    public IReadOnlyDictionary<string, TensorProto> Constants => constants;

    public OnnxModel Model => model;

    /// <summary>Records that a constant was rewritten in the graph (same name), so later reads see the new values.</summary>
    public void ReplaceConstant(TensorProto old, TensorProto replacement) => constants[old.Name] = replacement;

    public static ChannelGraph Build(OnnxModel model, IReadOnlyDictionary<string, long[]> shapes, NodeExclusions excluded)
    {
        var graph = new ChannelGraph(model, shapes, excluded);
        foreach (var node in GraphIndex.Build(model.Graph).TopologicalOrder())
        {
            graph.Visit(node);
        }

        foreach (var output in model.Graph.Output)
        {
            if (graph.spaces.TryGetValue(output.Name, out var space))
            {
                graph.Protect(space.Ids(), $"'{output.Name}' is a model output");
            }
        }

        return graph;
    }

    /// <summary>Protected components by root, each with the first reason found (in channel order, so deterministic).</summary>
    public Dictionary<int, string> ProtectedRoots()
    {
        var byRoot = new Dictionary<int, string>();
        foreach (var (id, reason) in protectedReasons.OrderBy(p => p.Key))
        {
            byRoot.TryAdd(Channels.Find(id), reason);
        }

        return byRoot;
    }

    /// <summary>A new channel space for <paramref name="value"/>; <paramref name="producer"/> marks the output of a layer that makes channels.</summary>
    public ChannelSpace NewSpace(string value, int axis, int count, bool producer)
    {
        var space = new ChannelSpace(value, axis, count, Channels.Add(count), producer);
        spaces[value] = space;
        Spaces.Add(space);
        return space;
    }

    /// <summary>Channel i of <paramref name="a"/> is channel i of <paramref name="b"/>.</summary>
    public void Join(ChannelSpace a, ChannelSpace b)
    {
        for (var c = 0; c < a.Count; c++)
        {
            Channels.Union(a.Id(c), b.Id(c));
        }
    }

    /// <summary>These channels must stay; the first reason given for each is the one reported.</summary>
    public void Protect(IEnumerable<int> ids, string reason)
    {
        foreach (var id in ids)
        {
            protectedReasons.TryAdd(id, reason);
        }
    }

    /// <summary>Input <paramref name="index"/> of the node is a float32 or int64 constant (not a graph input).</summary>
    public bool TryConstant(NodeProto node, int index, out TensorProto tensor)
    {
        tensor = null!;
        return node.Input.Count > index && constants.TryGetValue(node.Input[index], out tensor!) && tensor.DataType is (int)TensorProto.Types.DataType.Float or (int)TensorProto.Types.DataType.Int64;
    }

    /// <summary>The probed shape of <paramref name="value"/>.</summary>
    public bool TryShape(string value, out long[] shape) => shapes.TryGetValue(value, out shape!);

    /// <summary>The probed rank of <paramref name="value"/>, or -1 when unknown.</summary>
    public int Rank(string value) => shapes.TryGetValue(value, out var shape) ? shape.Length : -1;

    private void Visit(NodeProto node)
    {
        var inputSpaces = node.Input.Select(i => i.Length > 0 ? spaces.GetValueOrDefault(i) : null).ToList();
        if (excluded.Because(node) is { } reason)
        {
            Opaque(inputSpaces, $"{node.OpType} '{NodeName(node)}' is {reason}");
            return;
        }

        if (Rules.ChannelRules.For(node) is not { } rule || !rule.Apply(this, node, inputSpaces))
        {
            Opaque(inputSpaces, $"reaches {node.OpType} '{NodeName(node)}', which channel pruning does not follow");
        }
    }

    private void Opaque(List<ChannelSpace?> inputSpaces, string reason)
    {
        foreach (var space in inputSpaces.Where(s => s is not null))
        {
            Protect(space!.Ids(), reason);
        }
    }

    internal static string NodeName(NodeProto node) => node.Name.Length > 0 ? node.Name : node.Output[0];
}
