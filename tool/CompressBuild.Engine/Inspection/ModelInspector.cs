using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Inspection;

/// <summary>
/// Builds the facts <c>inspect</c> shows. Tensor data is read one tensor at a time (only to count zeros in
/// weights), so inspecting a model with gigabytes of external data stays within a single tensor's memory.
/// </summary>
public static class ModelInspector
{
    private const int LargestTensorCount = 10;

    public static ModelInspection Inspect(OnnxModel model)
    {
        var proto = model.Proto;
        var graph = model.Graph;
        var tensors = ModelTensors.All(proto).ToList();
        var initializerNames = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);

        var entries = new List<TensorEntry>(tensors.Count);
        long zeros = 0;
        long weightElements = 0;
        foreach (var tensor in tensors)
        {
            var elements = TensorShape.ElementCount(tensor);
            double? zeroFraction = null;
            if (IsWeight(tensor) && elements > 0)
            {
                var z = ZeroCounter.Count(TensorData.RawBytes(tensor, model).Span, tensor.DataType);
                zeros += z;
                weightElements += elements;
                zeroFraction = (double)z / elements;
            }

            var location = ExternalDataReference.IsExternal(tensor) ? ExternalDataReference.Parse(tensor, model.DisplayName).Location : "inline";
            entries.Add(new TensorEntry(tensor.Name, ElementType.Name(tensor.DataType), tensor.Dims.ToList(), elements, TensorData.StoredByteCount(tensor), location, zeroFraction));
        }

        var (nodes, subgraphNodes, opTypes) = CountNodes(graph);
        var externalFiles = ExternalFiles(model, tensors);
        return new ModelInspection(
            model.SourcePath ?? model.DisplayName,
            model.SourcePath is null ? 0 : new FileInfo(model.SourcePath).Length,
            externalFiles.Sum(f => f.Bytes),
            proto.IrVersion,
            proto.ProducerName,
            proto.ProducerVersion,
            proto.Domain,
            proto.ModelVersion,
            proto.OpsetImport.Select(o => new OpsetEntry(o.Domain is "" ? "ai.onnx" : o.Domain, o.Version)).ToList(),
            graph.Input.Where(i => !initializerNames.Contains(i.Name)).Select(Describe).ToList(),
            graph.Output.Select(Describe).ToList(),
            nodes,
            subgraphNodes,
            opTypes,
            entries.Sum(e => e.Elements),
            entries.Sum(e => e.Bytes),
            entries.GroupBy(e => e.DataType).Select(g => new DataTypeTotal(g.Key, g.Count(), g.Sum(e => e.Elements), g.Sum(e => e.Bytes)))
                .OrderByDescending(t => t.Bytes).ThenBy(t => t.DataType, StringComparer.Ordinal).ToList(),
            entries.OrderByDescending(e => e.Bytes).ThenBy(e => e.Name, StringComparer.Ordinal).Take(LargestTensorCount).ToList(),
            weightElements == 0 ? 0 : (double)zeros / weightElements,
            externalFiles);
    }

    /// <summary>Weights are the matrices and kernels (rank 2 or more) of real or 8-bit type: what pruning and quantization touch.</summary>
    private static bool IsWeight(TensorProto tensor) =>
        tensor.Dims.Count >= 2 && (ElementType.IsFloatingPoint(tensor.DataType) || ElementType.BitsPerElement(tensor.DataType) == 8);

    public static ValueEntry Describe(ValueInfoProto value) => new(value.Name, TypeName(value.Type), Shape(value.Type));

    public static string TypeName(TypeProto? type) => type?.ValueCase switch
    {
        TypeProto.ValueOneofCase.TensorType => $"tensor({ElementType.Name(type.TensorType.ElemType)})",
        TypeProto.ValueOneofCase.SparseTensorType => $"sparse_tensor({ElementType.Name(type.SparseTensorType.ElemType)})",
        TypeProto.ValueOneofCase.SequenceType => $"seq({TypeName(type.SequenceType.ElemType)})",
        TypeProto.ValueOneofCase.OptionalType => $"optional({TypeName(type.OptionalType.ElemType)})",
        TypeProto.ValueOneofCase.MapType => $"map({ElementType.Name(type.MapType.KeyType)},{TypeName(type.MapType.ValueType)})",
        _ => "unknown",
    };

    private static List<string> Shape(TypeProto? type)
    {
        var shape = type?.ValueCase switch
        {
            TypeProto.ValueOneofCase.TensorType => type.TensorType.Shape,
            TypeProto.ValueOneofCase.SparseTensorType => type.SparseTensorType.Shape,
            _ => null,
        };
        return shape?.Dim.Select(d => d.ValueCase switch
        {
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => d.DimParam,
            _ => "?",
        }).ToList() ?? [];
    }

    private static (int Nodes, int SubgraphNodes, List<OpTypeCount> OpTypes) CountNodes(GraphProto graph)
    {
        var histogram = new Dictionary<string, int>(StringComparer.Ordinal);
        var subgraphNodes = 0;
        void Walk(GraphProto g, bool nested)
        {
            foreach (var node in g.Node)
            {
                var key = node.Domain is "" or "ai.onnx" ? node.OpType : $"{node.Domain}.{node.OpType}";
                histogram[key] = histogram.GetValueOrDefault(key) + 1;
                if (nested)
                {
                    subgraphNodes++;
                }

                foreach (var attribute in node.Attribute)
                {
                    if (attribute.G is { } sub)
                    {
                        Walk(sub, nested: true);
                    }

                    foreach (var s in attribute.Graphs)
                    {
                        Walk(s, nested: true);
                    }
                }
            }
        }

        Walk(graph, nested: false);
        var opTypes = histogram.Select(kv => new OpTypeCount(kv.Key, kv.Value)).OrderByDescending(o => o.Count).ThenBy(o => o.OpType, StringComparer.Ordinal).ToList();
        return (graph.Node.Count, subgraphNodes, opTypes);
    }

    private static List<ExternalFileEntry> ExternalFiles(OnnxModel model, List<TensorProto> tensors) =>
        tensors.Where(ExternalDataReference.IsExternal)
            .Select(t => (Tensor: t, Reference: ExternalDataReference.Parse(t, model.DisplayName)))
            .GroupBy(x => x.Reference.Location, StringComparer.Ordinal)
            .Select(g =>
            {
                var path = model.BaseDirectory is null ? null : ConfinedPath.Resolve(model.BaseDirectory, g.Key, model.DisplayName);
                var size = path is not null && File.Exists(path) ? new FileInfo(path).Length : 0;
                return new ExternalFileEntry(g.Key, g.Count(), g.Sum(x => TensorData.RawByteCount(x.Tensor)), size);
            })
            .OrderBy(f => f.Location, StringComparer.Ordinal)
            .ToList();
}
