using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing;

/// <summary>
/// Types and shapes of a model's values by name, across the main graph and its subgraphs (value names are unique
/// model-wide in a valid model). Read from what the model declares (inputs, outputs, value_info, initializers)
/// and, when <see cref="OrtShapeInference"/> ran, from what ONNX Runtime inferred.
/// </summary>
public sealed class ValueShapes
{
    private readonly Dictionary<string, ValueShape> shapes = new(StringComparer.Ordinal);

    public int Count => shapes.Count;

    public IEnumerable<KeyValuePair<string, ValueShape>> All => shapes;

    public static ValueShapes Declared(ModelProto model)
    {
        var result = new ValueShapes();
        if (model.Graph is not null)
        {
            result.AddDeclared(model.Graph);
        }

        return result;
    }

    public ValueShape? Get(string name) => shapes.GetValueOrDefault(name);

    public int ElementType(string name) => shapes.TryGetValue(name, out var shape) ? shape.ElementType : 0;

    public int? Rank(string name) => shapes.GetValueOrDefault(name)?.Rank;

    /// <summary>Records what is known about a value, keeping the more precise of the old and new facts.</summary>
    public void Add(string name, ValueShape shape)
    {
        if (name.Length == 0)
        {
            return;
        }

        if (!shapes.TryGetValue(name, out var old))
        {
            shapes[name] = shape;
            return;
        }

        var type = old.ElementType != 0 ? old.ElementType : shape.ElementType;
        var dims = old.Dims;
        if (dims is null || (shape.Dims is not null && shape.Dims.Count == dims.Count && shape.Dims.Count(d => d >= 0) > dims.Count(d => d >= 0)))
        {
            dims = shape.Dims ?? dims;
        }

        shapes[name] = new ValueShape(type, dims);
    }

    public void Add(ValueInfoProto value)
    {
        if (FromType(value.Type) is { } shape)
        {
            Add(value.Name, shape);
        }
    }

    /// <summary>A dense tensor's type and shape, or null for sequences, maps, optionals and untyped values.</summary>
    public static ValueShape? FromType(TypeProto? type)
    {
        if (type?.ValueCase != TypeProto.ValueOneofCase.TensorType)
        {
            return null;
        }

        var tensor = type.TensorType;
        var dims = tensor.Shape is null ? null : tensor.Shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1L).ToList();
        return new ValueShape(tensor.ElemType, dims);
    }

    /// <summary>A value_info entry for a known shape; unknown dimensions stay unnamed.</summary>
    public static ValueInfoProto ToValueInfo(string name, ValueShape shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = shape.ElementType };
        if (shape.Dims is not null)
        {
            tensor.Shape = new TensorShapeProto();
            foreach (var d in shape.Dims)
            {
                tensor.Shape.Dim.Add(d >= 0 ? new TensorShapeProto.Types.Dimension { DimValue = d } : new TensorShapeProto.Types.Dimension());
            }
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }

    private void AddDeclared(GraphProto graph)
    {
        foreach (var value in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo))
        {
            Add(value);
        }

        foreach (var initializer in graph.Initializer)
        {
            Add(initializer.Name, new ValueShape(initializer.DataType, initializer.Dims.ToList()));
        }

        foreach (var node in graph.Node)
        {
            if (node.OpType == "Constant" && node.Output.Count == 1 && Onnx.GraphIndex.ConstantNodeValue(node) is { } constant)
            {
                Add(node.Output[0], new ValueShape(constant.DataType, constant.Dims.ToList()));
            }

            foreach (var attribute in node.Attribute)
            {
                foreach (var body in attribute.G is null ? attribute.Graphs : attribute.Graphs.Append(attribute.G))
                {
                    AddDeclared(body);
                }
            }
        }
    }
}
