using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;
using Google.Protobuf;

namespace CompressBuild.Engine.Preprocessing;

/// <summary>
/// Shapes and types of every value, as ONNX Runtime infers them when it loads the model. ORT resolves the graph
/// with ONNX's shape functions plus its own (for contrib ops) and, with optimizations off, saves the resolved
/// graph with a value_info entry for each intermediate value. Why this and not running the model on a sample
/// input: it needs no input data (no guess at a valid image size, a sequence length or a sample rate), it cannot
/// fail on data-dependent control flow, and it sees inside If/Loop/Scan bodies; where ORT cannot tell a rank
/// (a Reshape to a computed shape), callers fall back to a form that works for any rank instead of guessing.
/// </summary>
public static class OrtShapeInference
{
    /// <summary>What the model declares, completed by ORT's inference. Throws OrtException-derived CB errors when ORT refuses the model.</summary>
    public static ValueShapes Infer(OnnxModel model)
    {
        var shapes = ValueShapes.Declared(model.Proto);
        using var folder = new ScratchFolder("shapes");
        var resolvedPath = folder.File("resolved.onnx");
        var settings = new SessionSettings { OptimizationLevel = GraphOptimizationLevel.None, IntraOpThreads = 1, InterOpThreads = 1, OptimizedModelPath = resolvedPath };
        using (ModelSessions.Open(model, settings))
        {
        }

        if (!File.Exists(resolvedPath))
        {
            return shapes;
        }

        ModelProto resolved;
        using (var stream = File.OpenRead(resolvedPath))
        {
            resolved = ModelProto.Parser.WithDiscardUnknownFields(true).ParseFrom(new CodedInputStream(stream));
        }

        if (resolved.Graph is not null)
        {
            AddInferred(resolved.Graph, shapes);
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

    private static void AddInferred(GraphProto graph, ValueShapes shapes)
    {
        foreach (var value in graph.ValueInfo.Concat(graph.Output).Concat(graph.Input))
        {
            shapes.Add(value);
        }

        foreach (var node in graph.Node)
        {
            foreach (var attribute in node.Attribute)
            {
                foreach (var body in attribute.G is null ? attribute.Graphs : attribute.Graphs.Append(attribute.G))
                {
                    AddInferred(body, shapes);
                }
            }
        }
    }
}
