using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Fp16;

/// <summary>
/// What float16 can hold, and the nodes whose constants it cannot. Found on PP-OCRv4's detector: the head's
/// BatchNormalization keeps running variances of 1e7 to 1e8, which float16 (largest finite value 65504) turns
/// into infinity, so x / sqrt(var) became 0 and the whole probability map collapsed (output cosine 0.000000).
/// Such nodes stay float32, as ONNX Runtime's float16 converter keeps its block-listed nodes.
/// </summary>
internal static class Fp16Ranges
{
    /// <summary>float16's largest finite value.</summary>
    public const float HalfMax = 65504f;

    /// <summary>
    /// The largest activation magnitude measured on data that counts as safe: half of <see cref="HalfMax"/>,
    /// headroom for inputs larger than the ones measured.
    /// </summary>
    public const float SafeActivation = HalfMax / 2;

    public static bool FitsHalf(ReadOnlySpan<float> values)
    {
        foreach (var v in values)
        {
            if (float.IsFinite(v) && MathF.Abs(v) > HalfMax)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Nodes (in every graph, subgraphs too) that read a float32 initializer float16 cannot hold, with the reason.</summary>
    public static Dictionary<string, string> ConstantsOutOfRange(OnnxModel model)
    {
        var unsafeNodes = new Dictionary<string, string>(StringComparer.Ordinal);
        Collect(model, model.Graph, unsafeNodes);
        return unsafeNodes;
    }

    /// <summary>Names a graph's subgraphs (at any depth) read from this graph's scope without defining them.</summary>
    public static HashSet<string> OuterReferences(GraphProto graph)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var attribute in node.Attribute)
            {
                foreach (var body in attribute.G is null ? attribute.Graphs : attribute.Graphs.Append(attribute.G))
                {
                    names.UnionWith(FreeNames(body));
                }
            }
        }

        return names;
    }

    private static HashSet<string> FreeNames(GraphProto body)
    {
        var defined = body.Input.Select(i => i.Name).Concat(body.Initializer.Select(i => i.Name)).Concat(body.Node.SelectMany(n => n.Output)).ToHashSet(StringComparer.Ordinal);
        var free = body.Node.SelectMany(n => n.Input).Concat(body.Output.Select(o => o.Name)).Concat(OuterReferences(body))
            .Where(n => n.Length > 0 && !defined.Contains(n));
        return free.ToHashSet(StringComparer.Ordinal);
    }

    private static void Collect(OnnxModel model, GraphProto graph, Dictionary<string, string> unsafeNodes)
    {
        var index = GraphIndex.Build(graph);
        foreach (var initializer in graph.Initializer.Where(i => i.DataType == (int)TensorProto.Types.DataType.Float))
        {
            var values = TensorData.ToSingles(initializer, model);
            if (FitsHalf(values))
            {
                continue;
            }

            var largest = values.Where(float.IsFinite).Max(MathF.Abs);
            foreach (var consumer in index.Consumers(initializer.Name))
            {
                unsafeNodes.TryAdd(consumer.Name, $"its constant '{initializer.Name}' holds {largest:G3}, outside float16's range (±65504)");
            }
        }

        foreach (var attribute in graph.Node.SelectMany(n => n.Attribute))
        {
            foreach (var body in attribute.G is null ? attribute.Graphs : attribute.Graphs.Append(attribute.G))
            {
                Collect(model, body, unsafeNodes);
            }
        }
    }
}
