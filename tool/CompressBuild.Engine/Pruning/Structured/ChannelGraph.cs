using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// The channel dependency graph: one node per channel of every value that carries channels produced by a
/// prunable layer, joined (union-find) wherever two channels must be removed together: through activations,
/// BatchNormalization, pooling and Resize, element-wise ops of several inputs (residual Add / Sub / Mul / Div,
/// every branch at the same index), Concat (offsets mapped), depthwise Conv, and Flatten / Reshape whose mapping
/// is known (a channel becomes a run of H*W features). A component is one removable channel; everything it
/// touches is recorded as <see cref="TensorSlice"/>s. Channels reaching a model output, a graph input, or an op
/// this graph does not understand are protected, never guessed.
/// </summary>
internal sealed class ChannelGraph
{
    private static readonly HashSet<string> PassThrough = new(StringComparer.Ordinal)
    {
        "Relu", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Clip", "Elu", "Selu", "Celu", "Gelu", "Softplus", "Softsign",
        "Identity", "Dropout", "Abs", "Neg", "Sqrt", "Exp", "Log", "Erf", "Mish", "ThresholdedRelu", "Floor", "Ceil", "Round", "Reciprocal", "Cast",
        "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LpPool", "GlobalLpPool", "Resize", "Upsample",
    };

    private static readonly HashSet<string> ElementWise = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Mean", "PRelu", "Pow",
    };

    private readonly OnnxModel model;
    private readonly IReadOnlyDictionary<string, long[]> shapes;
    private readonly Dictionary<string, TensorProto> constants;
    private readonly HashSet<NodeProto> excluded;
    private readonly Dictionary<string, ChannelSpace> spaces = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> protectedReasons = [];

    private ChannelGraph(OnnxModel model, IReadOnlyDictionary<string, long[]> shapes, HashSet<NodeProto> excluded)
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

    /// <summary>Records that a constant was rewritten in the graph (same name), so later reads see the new values.</summary>
    public void ReplaceConstant(TensorProto old, TensorProto replacement) => constants[old.Name] = replacement;

    public static ChannelGraph Build(OnnxModel model, IReadOnlyDictionary<string, long[]> shapes, HashSet<NodeProto> excluded)
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

    private void Visit(NodeProto node)
    {
        var inputSpaces = node.Input.Select(i => i.Length > 0 ? spaces.GetValueOrDefault(i) : null).ToList();
        if (excluded.Contains(node))
        {
            Opaque(node, inputSpaces, "excluded by --exclude-nodes / --exclude-op-types");
            return;
        }

        var handled = node.Domain is "" or "ai.onnx" && node.OpType switch
        {
            "Conv" => Conv(node, inputSpaces[0]),
            "ConvTranspose" => ConvTranspose(node, inputSpaces[0]),
            "Gemm" => Gemm(node, inputSpaces[0]),
            "MatMul" => MatMul(node, inputSpaces[0]),
            "BatchNormalization" or "InstanceNormalization" => Normalization(node, inputSpaces[0]),
            "Concat" => Concat(node, inputSpaces),
            "Flatten" => Flatten(node, inputSpaces[0], Attribute(node, "axis", 1)),
            "Reshape" => Reshape(node, inputSpaces[0]),
            _ when ElementWise.Contains(node.OpType) => ElementWiseOp(node, inputSpaces),
            _ when PassThrough.Contains(node.OpType) => PassThroughOp(node, inputSpaces[0]),
            _ => false,
        };

        if (!handled)
        {
            Opaque(node, inputSpaces, $"reaches {node.OpType} '{NodeName(node)}', which channel pruning does not follow");
        }
    }

    private void Opaque(NodeProto node, List<ChannelSpace?> inputSpaces, string reason)
    {
        foreach (var space in inputSpaces.Where(s => s is not null))
        {
            Protect(space!.Ids(), reason);
        }
    }

    private bool Conv(NodeProto node, ChannelSpace? input)
    {
        if (!TryConstant(node, 1, out var w) || w.Dims.Count < 3)
        {
            return false;
        }

        var group = Attribute(node, "group", 1);
        var outChannels = (int)w.Dims[0];
        if (group == 1)
        {
            if (input is not null)
            {
                if (input.Axis != 1 || input.Count != w.Dims[1])
                {
                    return false;
                }

                Slices.Add(new TensorSlice(node, 1, 1, input.Ids(), SliceRole.Consumer));
            }

            var output = NewSpace(node.Output[0], 1, outChannels, producer: true);
            Slices.Add(new TensorSlice(node, 1, 0, output.Ids(), SliceRole.Producer));
            AddBias(node, 2, output);
            return true;
        }

        // Depthwise with one filter per channel: output channel c is input channel c filtered.
        if (input is not null && input.Axis == 1 && group == input.Count && outChannels == group && w.Dims[1] == 1)
        {
            var output = NewSpace(node.Output[0], 1, outChannels, producer: false);
            Join(output, input);
            Slices.Add(new TensorSlice(node, 1, 0, output.Ids(), SliceRole.Depthwise));
            AddBias(node, 2, output);
            DepthwiseNodes.Add(node);
            return true;
        }

        return false;
    }

    private bool ConvTranspose(NodeProto node, ChannelSpace? input)
    {
        if (!TryConstant(node, 1, out var w) || w.Dims.Count < 3 || Attribute(node, "group", 1) != 1)
        {
            return false;
        }

        if (input is not null)
        {
            if (input.Axis != 1 || input.Count != w.Dims[0])
            {
                return false;
            }

            Slices.Add(new TensorSlice(node, 1, 0, input.Ids(), SliceRole.Consumer));
        }

        var output = NewSpace(node.Output[0], 1, (int)w.Dims[1], producer: true);
        Slices.Add(new TensorSlice(node, 1, 1, output.Ids(), SliceRole.Producer));
        AddBias(node, 2, output);
        return true;
    }

    private bool Gemm(NodeProto node, ChannelSpace? input)
    {
        if (!TryConstant(node, 1, out var b) || b.Dims.Count != 2 || Attribute(node, "transA", 0) != 0)
        {
            return false;
        }

        var transB = Attribute(node, "transB", 0) != 0;
        var k = b.Dims[transB ? 1 : 0];
        var n = (int)b.Dims[transB ? 0 : 1];
        if (input is not null)
        {
            if (input.Axis != 1 || input.Count != k)
            {
                return false;
            }

            Slices.Add(new TensorSlice(node, 1, transB ? 1 : 0, input.Ids(), SliceRole.Consumer));
        }

        var output = NewSpace(node.Output[0], 1, n, producer: true);
        Slices.Add(new TensorSlice(node, 1, transB ? 0 : 1, output.Ids(), SliceRole.Producer));
        if (node.Input.Count > 2 && node.Input[2].Length > 0)
        {
            if (!TryConstant(node, 2, out var c))
            {
                Protect(output.Ids(), $"Gemm '{NodeName(node)}' adds a bias that is not a constant");
            }
            else if (c.Dims.Count > 0 && c.Dims[^1] == n)
            {
                Slices.Add(new TensorSlice(node, 2, c.Dims.Count - 1, output.Ids(), SliceRole.Other));
            }
        }

        return true;
    }

    private bool MatMul(NodeProto node, ChannelSpace? input)
    {
        if (!TryConstant(node, 1, out var w) || w.Dims.Count != 2 || !shapes.TryGetValue(node.Output[0], out var outShape))
        {
            return false;
        }

        if (input is not null)
        {
            if (input.Axis != Rank(node.Input[0]) - 1 || input.Count != w.Dims[0])
            {
                return false;
            }

            Slices.Add(new TensorSlice(node, 1, 0, input.Ids(), SliceRole.Consumer));
        }

        var output = NewSpace(node.Output[0], outShape.Length - 1, (int)w.Dims[1], producer: true);
        Slices.Add(new TensorSlice(node, 1, 1, output.Ids(), SliceRole.Producer));
        return true;
    }

    private bool Normalization(NodeProto node, ChannelSpace? input)
    {
        if (input is null)
        {
            return true;
        }

        var parameters = node.OpType == "BatchNormalization" ? 5 : 3;
        if (input.Axis != 1 || node.Input.Count < parameters || node.Output.Skip(1).Any(o => o.Length > 0))
        {
            return false;
        }

        for (var i = 1; i < parameters; i++)
        {
            if (!TryConstant(node, i, out var p) || p.Dims.Count != 1 || p.Dims[0] != input.Count)
            {
                return false;
            }
        }

        var output = NewSpace(node.Output[0], 1, input.Count, producer: false);
        Join(output, input);
        for (var i = 1; i < parameters; i++)
        {
            Slices.Add(new TensorSlice(node, i, 0, output.Ids(), i == 1 ? SliceRole.BnScale : SliceRole.Other));
        }

        return true;
    }

    private bool PassThroughOp(NodeProto node, ChannelSpace? input)
    {
        if (input is null)
        {
            return true;
        }

        // Dropout's mask and any second output would need following too; Resize must keep the channel count.
        if (node.Output.Skip(1).Any(o => o.Length > 0) || !shapes.TryGetValue(node.Output[0], out var shape)
            || shape.Length != Rank(node.Input[0]) || shape[input.Axis] != input.Count)
        {
            return false;
        }

        Join(NewSpace(node.Output[0], input.Axis, input.Count, producer: false), input);
        return true;
    }

    private bool ElementWiseOp(NodeProto node, List<ChannelSpace?> inputs)
    {
        var first = inputs.FirstOrDefault(s => s is not null);
        if (first is null)
        {
            return true;
        }

        if (!shapes.TryGetValue(node.Output[0], out var outShape))
        {
            return false;
        }

        var axis = first.Axis + (outShape.Length - Rank(first.Value));
        var output = NewSpace(node.Output[0], axis, (int)outShape[axis], producer: false);
        for (var i = 0; i < node.Input.Count; i++)
        {
            var name = node.Input[i];
            if (inputs[i] is { } space)
            {
                if (space.Count != output.Count || space.Axis + (outShape.Length - Rank(space.Value)) != axis)
                {
                    return false;
                }

                Join(output, space);
                continue;
            }

            var rank = Rank(name);
            var dim = axis - (outShape.Length - rank);
            if (constants.TryGetValue(name, out var constant))
            {
                dim = axis - (outShape.Length - constant.Dims.Count);
                if (dim >= 0 && constant.Dims[dim] != 1)
                {
                    if (constant.DataType != (int)TensorProto.Types.DataType.Float)
                    {
                        return false;
                    }

                    Slices.Add(new TensorSlice(node, i, dim, output.Ids(), SliceRole.Other));
                }
            }
            else if (dim >= 0 && shapes.TryGetValue(name, out var shape) && shape[dim] != 1)
            {
                Protect(output.Ids(), $"{node.OpType} '{NodeName(node)}' combines it with '{name}', whose channels no pruned layer produces");
            }
        }

        return true;
    }

    private bool Concat(NodeProto node, List<ChannelSpace?> inputs)
    {
        var spaced = inputs.Where(s => s is not null).ToList();
        if (spaced.Count == 0)
        {
            return true;
        }

        if (!shapes.TryGetValue(node.Output[0], out var outShape))
        {
            return false;
        }

        var axis = (int)Attribute(node, "axis", 0);
        axis = axis < 0 ? axis + outShape.Length : axis;
        if (spaced.Any(s => s!.Axis != axis))
        {
            // Joined along another axis: every input keeps its channels, as in an element-wise op.
            return spaced.All(s => s!.Axis == spaced[0]!.Axis && s.Count == spaced[0]!.Count) && ConcatAcross(node, inputs, spaced[0]!);
        }

        var output = NewSpace(node.Output[0], axis, (int)outShape[axis], producer: false);
        var offset = 0;
        for (var i = 0; i < node.Input.Count; i++)
        {
            var length = inputs[i]?.Count ?? (shapes.TryGetValue(node.Input[i], out var s) ? (int)s[axis] : -1);
            if (length < 0)
            {
                return false;
            }

            for (var c = 0; c < length; c++)
            {
                if (inputs[i] is { } space)
                {
                    Channels.Union(output.Id(offset + c), space.Id(c));
                }
                else
                {
                    Protect([output.Id(offset + c)], $"Concat '{NodeName(node)}' joins it with '{node.Input[i]}', whose channels no pruned layer produces");
                }
            }

            offset += length;
        }

        return offset == output.Count;
    }

    private bool ConcatAcross(NodeProto node, List<ChannelSpace?> inputs, ChannelSpace first)
    {
        if (inputs.Any(s => s is null))
        {
            return false;
        }

        var output = NewSpace(node.Output[0], first.Axis, first.Count, producer: false);
        foreach (var space in inputs)
        {
            Join(output, space!);
        }

        return true;
    }

    private bool Flatten(NodeProto node, ChannelSpace? input, long axis)
    {
        if (input is null)
        {
            return true;
        }

        if (axis != 1 || input.Axis != 1 || !shapes.TryGetValue(node.Input[0], out var shape))
        {
            return false;
        }

        // [N, C, H, W] -> [N, C*H*W]: channel c becomes features c*H*W .. c*H*W + H*W - 1.
        var run = (int)shape.Skip(2).Aggregate(1L, (a, d) => a * d);
        var output = NewSpace(node.Output[0], 1, input.Count * run, producer: false);
        for (var c = 0; c < input.Count; c++)
        {
            for (var j = 0; j < run; j++)
            {
                Channels.Union(output.Id((c * run) + j), input.Id(c));
            }
        }

        return true;
    }

    private bool Reshape(NodeProto node, ChannelSpace? input)
    {
        if (input is null)
        {
            return true;
        }

        // Only the flattening form [batch or 0, -1] maps channels knowably, and stays valid once they shrink.
        if (!TryConstant(node, 1, out var target) || target.Dims.Count != 1 || target.Dims[0] != 2
            || !shapes.TryGetValue(node.Input[0], out var shape) || shape.Length < 2)
        {
            return false;
        }

        var values = TensorData.ToArray<long>(target, model);
        return values[1] == -1 && (values[0] == 0 || values[0] == shape[0]) && Flatten(node, input, 1);
    }

    private void AddBias(NodeProto node, int index, ChannelSpace output)
    {
        if (node.Input.Count > index && node.Input[index].Length > 0)
        {
            if (TryConstant(node, index, out var bias) && bias.Dims.Count == 1 && bias.Dims[0] == output.Count)
            {
                Slices.Add(new TensorSlice(node, index, 0, output.Ids(), SliceRole.Other));
            }
            else
            {
                Protect(output.Ids(), $"{node.OpType} '{NodeName(node)}' has a bias that is not a constant of {output.Count} values");
            }
        }
    }

    private ChannelSpace NewSpace(string value, int axis, int count, bool producer)
    {
        var space = new ChannelSpace(value, axis, count, Channels.Add(count), producer);
        spaces[value] = space;
        Spaces.Add(space);
        return space;
    }

    private void Join(ChannelSpace a, ChannelSpace b)
    {
        for (var c = 0; c < a.Count; c++)
        {
            Channels.Union(a.Id(c), b.Id(c));
        }
    }

    private void Protect(IEnumerable<int> ids, string reason)
    {
        foreach (var id in ids)
        {
            protectedReasons.TryAdd(id, reason);
        }
    }

    private bool TryConstant(NodeProto node, int index, out TensorProto tensor)
    {
        tensor = null!;
        return node.Input.Count > index && constants.TryGetValue(node.Input[index], out tensor!) && tensor.DataType is (int)TensorProto.Types.DataType.Float or (int)TensorProto.Types.DataType.Int64;
    }

    private int Rank(string value) => shapes.TryGetValue(value, out var shape) ? shape.Length : -1;

    private static long Attribute(NodeProto node, string name, long fallback) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? fallback;

    internal static string NodeName(NodeProto node) => node.Name.Length > 0 ? node.Name : node.Output[0];
}
