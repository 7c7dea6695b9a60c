using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing.Adapters;

/// <summary>
/// What an adapter may use while rewriting a node of one graph: fresh model-wide names, new constant
/// initializers (added to the graph that holds the node, so subgraph bodies stay self-contained), the types and
/// ranks known for values, and whether a value is read anywhere.
/// </summary>
internal sealed class AdapterContext(GraphProto graph, ValueShapes shapes, ModelNames names, int fromOpset, int targetOpset, string file)
{
    public GraphProto Graph { get; } = graph;

    public ValueShapes Shapes { get; } = shapes;

    public int FromOpset { get; } = fromOpset;

    public int TargetOpset { get; } = targetOpset;

    public string UniqueName(string wanted) => names.Unique(wanted);

    /// <summary>True when some node in any graph reads the value, or some graph returns it.</summary>
    public bool IsUsed(string value) => value.Length > 0 && names.IsUsed(value);

    public string AddInt64s(string wanted, IReadOnlyList<long> values, bool scalar = false)
    {
        var name = UniqueName(wanted);
        long[] dims = scalar ? [] : [values.Count];
        Graph.Initializer.Add(TensorData.FromArray<long>(name, dims, values.ToArray()));
        return name;
    }

    public string AddFloats(string wanted, IReadOnlyList<float> values)
    {
        var name = UniqueName(wanted);
        Graph.Initializer.Add(TensorData.FromArray<float>(name, [values.Count], values.ToArray()));
        return name;
    }

    /// <summary>A scalar of the given element type (float when unknown), as Clip bounds and Pad values must match the data's type.</summary>
    public string AddScalar(string wanted, double value, int elementType)
    {
        var name = UniqueName(wanted);
        var tensor = (TensorProto.Types.DataType)elementType switch
        {
            TensorProto.Types.DataType.Double => TensorData.FromArray<double>(name, [], [value]),
            TensorProto.Types.DataType.Float16 => TensorData.FromArray<Half>(name, [], [(Half)value]),
            TensorProto.Types.DataType.Int8 => TensorData.FromArray<sbyte>(name, [], [(sbyte)Math.Clamp(value, sbyte.MinValue, sbyte.MaxValue)]),
            TensorProto.Types.DataType.Uint8 => TensorData.FromArray<byte>(name, [], [(byte)Math.Clamp(value, byte.MinValue, byte.MaxValue)]),
            TensorProto.Types.DataType.Int32 => TensorData.FromArray<int>(name, [], [(int)Math.Clamp(value, int.MinValue, int.MaxValue)]),
            TensorProto.Types.DataType.Int64 => TensorData.FromArray<long>(name, [], [(long)Math.Clamp(value, long.MinValue, long.MaxValue)]),
            _ => TensorData.FromArray<float>(name, [], [(float)value]),
        };
        Graph.Initializer.Add(tensor);
        return name;
    }

    public NodeProto NewNode(string opType, IEnumerable<string> inputs, IEnumerable<string> outputs, string wantedName)
    {
        var node = new NodeProto { OpType = opType, Name = UniqueName(wantedName) };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        return node;
    }

    /// <summary>The error for a node the target opset cannot express the same way; nothing is written.</summary>
    public CompressBuildException Refuse(NodeProto node, string why) =>
        new(DiagnosticCodes.OpsetOpNotConvertible,
            $"cannot convert the model from opset {FromOpset} to {TargetOpset}: {node.OpType} node '{node.Name}' {why}", file);
}
