using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Preprocessing;

namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>
/// The calibration model with the summary of an activation computed inside the graph instead of the activation itself exposed:
/// the activation as rows (<c>Flatten</c> before its last axis, or its last two from rank 4: a channel's plane), each row's minimum
/// and maximum, and only the rows holding a magnitude above a threshold the caller feeds per run (<c>Compress</c>). The activation
/// stays an ordinary intermediate value, which ONNX Runtime's buffer planner may reuse, rather than a graph output ORT writes to
/// memory of its own every run. Every value left out is in a row whose largest magnitude is at most the threshold, which
/// <see cref="MagnitudeTail"/> would not take either, so the tail takes the same values in the same order
/// (<see cref="ActivationHistogram.AddRows"/>): the ranges are the same floats.
/// Measured, not used by calibration (<c>calibration --profile</c> compares the two; README "Calibration cost on public models"): on
/// ONNX Runtime 1.31 the runs cost more than exposing the activations (PP-OCR detector, the collector alone: 60.1 ms CPU per sample
/// against 49.0; the row reductions without the tail already lose), and ORT's ReduceMin / ReduceMax drop NaN, so a NaN activation
/// would pass unflagged (CB2023) without a further pass over the values.
/// </summary>
internal static class SummaryGraph
{
    /// <summary>The graph names of one activation's summary: outputs <paramref name="RowMin"/>, <paramref name="RowMax"/>, <paramref name="Rows"/>;
    /// input <paramref name="Threshold"/>, a float scalar.</summary>
    internal sealed record Names(string RowMin, string RowMax, string Rows, string Threshold);

    /// <summary>Compress (and Greater on floats) need opset 9.</summary>
    private const long MinimumOpset = 9;

    /// <summary>
    /// Whether <paramref name="activation"/> can be summarized in <paramref name="model"/>'s graph: a float tensor of known rank at
    /// least 1 (the rank places the rows).
    /// </summary>
    public static bool Fits(OnnxModel model, ValueShapes shapes, string activation) =>
        model.OpsetVersion() >= MinimumOpset && shapes.Rank(activation) is >= 1 && shapes.ElementType(activation) == (int)TensorProto.Types.DataType.Float;

    /// <summary>
    /// Where the rows start: a channel's plane from rank 4 (a few hundred to tens of thousands of values, long enough for the row
    /// reductions to run at memory speed, few enough rows that the small ops on them cost little), else the last axis.
    /// </summary>
    private static long RowAxis(long rank) => rank >= 4 ? rank - 2 : rank - 1;

    /// <summary>
    /// A copy of <paramref name="model"/> that outputs <paramref name="exposed"/> as they are and the summary of each of
    /// <paramref name="summarized"/> (the names returned, in order), each of which <see cref="Fits"/>.
    /// </summary>
    public static (OnnxModel Model, Names[] Summaries) Build(OnnxModel model, ValueShapes shapes, IReadOnlyList<string> exposed, IReadOnlyList<string> summarized)
    {
        var withExposed = ModelOutputs.WithOutputs(model, exposed);
        if (summarized.Count == 0)
        {
            return (withExposed, []);
        }

        var graph = withExposed.Graph;
        var taken = GraphNodes.All(graph).SelectMany(n => n.Output.Concat(n.Input)).Concat(graph.Input.Select(i => i.Name))
            .Concat(graph.Initializer.Select(i => i.Name)).ToHashSet(StringComparer.Ordinal);
        string Fresh(string name)
        {
            while (!taken.Add(name))
            {
                name += "_";
            }

            return name;
        }

        var axesAsInput = model.OpsetVersion() >= 18;
        var axes = axesAsInput ? Fresh("cb_summary_axes") : null;
        if (axes is not null)
        {
            var tensor = new TensorProto { Name = axes, DataType = (int)TensorProto.Types.DataType.Int64 };
            tensor.Dims.Add(1);
            tensor.Int64Data.Add(1);
            graph.Initializer.Add(tensor);
        }

        var summaries = new Names[summarized.Count];
        for (var k = 0; k < summarized.Count; k++)
        {
            var prefix = $"cb_summary_{k}";
            var names = new Names(Fresh(prefix + "_min"), Fresh(prefix + "_max"), Fresh(prefix + "_rows"), Fresh(prefix + "_threshold"));
            var (table, negated, magnitude, above) = (Fresh(prefix + "_table"), Fresh(prefix + "_negated"), Fresh(prefix + "_magnitude"), Fresh(prefix + "_above"));
            var flatten = Node("Flatten", prefix, [summarized[k]], table);
            NodeAttributes.SetInt(flatten, "axis", RowAxis(shapes.Rank(summarized[k]) ?? throw new ArgumentException($"'{summarized[k]}' has no known rank.")));
            graph.Node.Add(flatten);
            graph.Node.Add(Reduce("ReduceMin", prefix, table, axes, names.RowMin));
            graph.Node.Add(Reduce("ReduceMax", prefix, table, axes, names.RowMax));
            graph.Output.Add(FloatValue(names.RowMin, scalar: false));
            graph.Output.Add(FloatValue(names.RowMax, scalar: false));
            graph.Node.Add(Node("Neg", prefix, [names.RowMin], negated));
            graph.Node.Add(Node("Max", prefix, [negated, names.RowMax], magnitude));
            graph.Node.Add(Node("Greater", prefix, [magnitude, names.Threshold], above));
            var compress = Node("Compress", prefix, [table, above], names.Rows);
            NodeAttributes.SetInt(compress, "axis", 0);
            graph.Node.Add(compress);
            graph.Input.Add(FloatValue(names.Threshold, scalar: true));
            graph.Output.Add(FloatValue(names.Rows, scalar: false));
            summaries[k] = names;
        }

        return (withExposed, summaries);
    }

    private static NodeProto Reduce(string op, string prefix, string table, string? axes, string output)
    {
        var node = Node(op, prefix, axes is null ? [table] : [table, axes], output);
        if (axes is null)
        {
            node.Attribute.Add(new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1L } });
        }

        NodeAttributes.SetInt(node, "keepdims", 0);
        return node;
    }

    private static NodeProto Node(string op, string prefix, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = $"{prefix}_{op}_{output}" };
        node.Input.Add(inputs);
        node.Output.Add(output);
        return node;
    }

    private static ValueInfoProto FloatValue(string name, bool scalar)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float };
        if (scalar)
        {
            tensor.Shape = new TensorShapeProto();
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}
