using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// Reads, removes and sets a node's attributes by name: the one place the engine reads an attribute, so every
/// reader applies the same ONNX default when the attribute is absent.
/// </summary>
internal static class NodeAttributes
{
    public static AttributeProto? Find(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    /// <summary>Removes the attribute and returns it; null when the node had none of that name.</summary>
    public static AttributeProto? Take(NodeProto node, string name)
    {
        var attribute = Find(node, name);
        if (attribute is not null)
        {
            node.Attribute.Remove(attribute);
        }

        return attribute;
    }

    public static long Int(NodeProto node, string name, long fallback) => Find(node, name) is { } a ? a.I : fallback;

    public static float Float(NodeProto node, string name, float fallback) => Find(node, name) is { } a ? a.F : fallback;

    public static string String(NodeProto node, string name, string fallback) => Find(node, name) is { } a ? a.S.ToStringUtf8() : fallback;

    /// <summary>An ints attribute; null when the node has none of that name.</summary>
    public static IReadOnlyList<long>? Ints(NodeProto node, string name) => Find(node, name)?.Ints;

    /// <summary>A tensor attribute (Constant's value, ConstantOfShape's value); null when absent.</summary>
    public static TensorProto? Tensor(NodeProto node, string name) => Find(node, name)?.T;

    /// <summary>A graph attribute (If's then/else branch, Loop's and Scan's body); null when absent.</summary>
    public static GraphProto? Graph(NodeProto node, string name) => Find(node, name)?.G;

    public static void SetInt(NodeProto node, string name, long value)
    {
        Take(node, name);
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });
    }

    public static void SetFloat(NodeProto node, string name, float value)
    {
        Take(node, name);
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value });
    }

    public static void SetString(NodeProto node, string name, string value)
    {
        Take(node, name);
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8(value) });
    }

    /// <summary>Subgraphs a node owns (If branches, Loop and Scan bodies).</summary>
    public static IEnumerable<GraphProto> Subgraphs(NodeProto node)
    {
        foreach (var attribute in node.Attribute)
        {
            if (attribute.G is not null)
            {
                yield return attribute.G;
            }

            foreach (var graph in attribute.Graphs)
            {
                yield return graph;
            }
        }
    }

    /// <summary>Sets input <paramref name="index"/>, padding skipped optional inputs with empty names.</summary>
    public static void SetInput(NodeProto node, int index, string value)
    {
        while (node.Input.Count <= index)
        {
            node.Input.Add("");
        }

        node.Input[index] = value;
    }

    /// <summary>Drops trailing empty (omitted optional) inputs.</summary>
    public static void TrimInputs(NodeProto node)
    {
        while (node.Input.Count > 0 && node.Input[^1].Length == 0)
        {
            node.Input.RemoveAt(node.Input.Count - 1);
        }
    }
}
