using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing;

/// <summary>
/// Prepares a model for quantization the way ONNX Runtime's quant_pre_process does, in our engine: raises the
/// opset when asked (<see cref="OpsetConverter"/>), promotes Constant weights to initializers, removes Identity and
/// inference Dropout, folds constant subgraphs (Shape of static shapes included), folds BatchNormalization into
/// the Conv/ConvTranspose/Gemm before it, drops unused initializers, and records ONNX Runtime's inferred shapes as
/// value_info. The input model is never changed; the result says what each step did.
/// </summary>
public static class ModelPreprocessor
{
    public static PreprocessResult Run(OnnxModel model, PreprocessOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var advisories = new List<PreprocessAdvisory>();
        var opsetBefore = model.OpsetVersion("");
        IReadOnlyDictionary<string, int> adapted = new Dictionary<string, int>();
        OnnxModel work;
        if (options.TargetOpset is { } target && target > opsetBefore)
        {
            var (inferred, problem) = OrtShapeInference.TryInfer(model, options.SampleInputs);
            if (problem is not null)
            {
                advisories.Add(new PreprocessAdvisory(DiagnosticCodes.ShapeInferenceUnavailable.Id,
                    $"ONNX Runtime could not infer the source model's shapes ({problem}); Softmax-like ops get the rank-independent rewrite."));
            }

            var conversion = OpsetConverter.Convert(model, target, inferred);
            adapted = conversion.AdaptedNodes;
            work = conversion.Model;
        }
        else
        {
            work = new OnnxModel(model.Proto.Clone(), model.BaseDirectory, model.SourcePath);
        }

        var graph = work.Graph;
        var promoted = options.PromoteConstants ? ConstantPromotion.Promote(graph) : 0;
        var (identities, dropouts) = options.RemoveIdentities ? IdentityRemoval.Run(graph) : (0, 0);
        var folded = 0;
        if (options.FoldConstants)
        {
            // Inferred again on the model as it is now: conversion, promotion and identity removal renamed or added values.
            folded = ConstantFolding.Run(work, Shapes(work, advisories), options.MaxFoldedBytes, advisories);
        }

        var batchNorms = options.FoldBatchNormalization ? BatchNormalizationFolding.Run(work, advisories) : 0;
        var removed = options.RemoveUnusedInitializers ? UnusedInitializerRemoval.Run(graph) : 0;
        var inferredShapes = options.InferShapes ? RecordShapes(work, advisories) : 0;
        return new PreprocessResult(work, opsetBefore, work.OpsetVersion(""))
        {
            AdaptedNodes = adapted,
            ConstantsPromoted = promoted,
            IdentitiesRemoved = identities,
            DropoutsRemoved = dropouts,
            NodesFolded = folded,
            BatchNormalizationsFolded = batchNorms,
            InitializersRemoved = removed,
            ShapesInferred = inferredShapes,
            Advisories = advisories,
        };
    }

    private static ValueShapes Shapes(OnnxModel model, List<PreprocessAdvisory> advisories)
    {
        var (shapes, problem) = OrtShapeInference.TryInfer(model);
        if (problem is not null)
        {
            advisories.Add(new PreprocessAdvisory(DiagnosticCodes.ShapeInferenceUnavailable.Id, $"ONNX Runtime could not infer shapes ({problem}); Shape nodes are not folded."));
        }

        return shapes;
    }

    /// <summary>Replaces the main graph's value_info with ONNX Runtime's inferred types and shapes (symbolic dimensions kept).</summary>
    private static int RecordShapes(OnnxModel model, List<PreprocessAdvisory> advisories)
    {
        IReadOnlyDictionary<string, ValueInfoProto> inferred;
        try
        {
            inferred = OrtShapeInference.InferValueInfo(model);
        }
        catch (Exception e) when (e is CompressBuildException or Runtime.OrtException)
        {
            advisories.Add(new PreprocessAdvisory(DiagnosticCodes.ShapeInferenceUnavailable.Id, $"ONNX Runtime could not infer shapes ({e.Message}); the model keeps the value_info it had."));
            return 0;
        }

        var graph = model.Graph;
        var declared = graph.Input.Concat(graph.Output).Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var values = graph.Node.SelectMany(n => n.Output).Where(o => o.Length > 0 && !declared.Contains(o)).Distinct(StringComparer.Ordinal)
            .Select(name => inferred.GetValueOrDefault(name)).OfType<ValueInfoProto>().ToList();
        if (values.Count == 0)
        {
            return 0;
        }

        var known = values.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var kept = graph.ValueInfo.Where(v => !known.Contains(v.Name)).ToList();
        graph.ValueInfo.Clear();
        graph.ValueInfo.Add(kept);
        graph.ValueInfo.Add(values.Select(v => v.Clone()));
        return values.Count;
    }
}
