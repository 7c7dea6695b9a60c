using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Preprocessing;

/// <summary>
/// Types and shapes of the main graph's values as ONNX Runtime infers them when it loads the model: every
/// intermediate value is listed as a graph output (name only, no type), the session is created (with graph
/// optimizations off, and never run), and ORT's description of those outputs is read back. ORT resolves the
/// graph with ONNX's shape functions plus its own (contrib ops, and constant inputs it sees through), which is
/// what it will compute at inference. Why not run the model on a sample input and read the shapes off: that needs
/// a valid input (image size, sequence length, sample rate), sees one input's sizes as if they were fixed, and
/// can fail on data-dependent paths; inference from the graph needs nothing. ORT reports an unknown rank like a
/// scalar, so rank 0 is trusted only where the model itself declares it; callers treat unknown ranks safely.
/// </summary>
public static class OrtShapeInference
{
    /// <summary>What the model declares, completed by ORT's inference. Throws a CB error when ORT refuses the model.</summary>
    public static ValueShapes Infer(OnnxModel model)
    {
        var shapes = ValueShapes.Declared(model.Proto);
        foreach (var value in InferValueInfo(model).Values)
        {
            if (ValueShapes.FromType(value.Type) is { } shape && !(shape.Rank == 0 && shapes.Get(value.Name) is null))
            {
                shapes.Add(value.Name, shape);
            }
        }

        return shapes;
    }

    /// <summary>Like <see cref="Infer"/>, but a model ORT cannot load keeps only its declared shapes (returned with the reason).</summary>
    public static (ValueShapes Shapes, string? Problem) TryInfer(OnnxModel model)
    {
        try
        {
            return (Infer(model), null);
        }
        catch (CompressBuildException e)
        {
            return (ValueShapes.Declared(model.Proto), e.Message);
        }
        catch (OrtException e)
        {
            return (ValueShapes.Declared(model.Proto), e.Message);
        }
    }

    /// <summary>
    /// ORT's inferred type and shape of each intermediate tensor of the main graph, by name, as value_info entries
    /// (symbolic dimension names kept). Values whose rank ORT cannot tell are left out.
    /// </summary>
    public static IReadOnlyDictionary<string, ValueInfoProto> InferValueInfo(OnnxModel model)
    {
        var proto = model.Proto.Clone();
        var graph = proto.Graph;
        var declared = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var exposed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var output in graph.Node.SelectMany(n => n.Output))
        {
            if (output.Length > 0 && !declared.Contains(output) && exposed.Add(output))
            {
                graph.Output.Add(new ValueInfoProto { Name = output });
            }
        }

        var settings = new SessionSettings { OptimizationLevel = GraphOptimizationLevel.None, IntraOpThreads = 1, InterOpThreads = 1 };
        using var session = ModelSessions.Open(new OnnxModel(proto, model.BaseDirectory, model.SourcePath), settings);
        var result = new Dictionary<string, ValueInfoProto>(StringComparer.Ordinal);
        foreach (var info in session.Outputs)
        {
            if (exposed.Contains(info.Name) && info.IsTensor && info.ElementType != 0 && info.Shape.Count > 0)
            {
                result[info.Name] = ToValueInfo(info);
            }
        }

        return result;
    }

    private static ValueInfoProto ToValueInfo(ValueInfo info)
    {
        var shape = new TensorShapeProto();
        for (var i = 0; i < info.Shape.Count; i++)
        {
            var dim = new TensorShapeProto.Types.Dimension();
            if (info.Shape[i] >= 0)
            {
                dim.DimValue = info.Shape[i];
            }
            else if (i < info.SymbolicDims.Count && info.SymbolicDims[i].Length > 0)
            {
                dim.DimParam = info.SymbolicDims[i];
            }

            shape.Dim.Add(dim);
        }

        return new ValueInfoProto { Name = info.Name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = info.ElementType, Shape = shape } } };
    }
}
