using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Preprocessing.Adapters;

namespace CompressBuild.Engine.Preprocessing;

/// <summary>
/// Raises a model's default-domain opset (from 6 up) to a target, rewriting every node whose op changed meaning
/// or signature on the way with the adapters of <see cref="OpAdapters"/>, in the main graph and in every
/// If/Loop/Scan body. Adapters that need a rank or an element type read them from ONNX Runtime's shape
/// inference on the source model. A node that cannot be converted is a CB2030 naming it and why; the input model
/// is never changed, so nothing half-converted exists.
/// </summary>
public static class OpsetConverter
{
    public static int MaxTarget => OpAdapters.MaxTarget;

    /// <summary>Converts with shapes ONNX Runtime infers on the model (declared shapes only when ORT cannot load it).</summary>
    public static OpsetConversionResult Convert(OnnxModel model, int targetOpset)
    {
        ArgumentNullException.ThrowIfNull(model);
        var from = model.OpsetVersion("");
        if (from >= targetOpset)
        {
            Validate(model, from, targetOpset);
            return new OpsetConversionResult(model, from, from, new Dictionary<string, int>());
        }

        return Convert(model, targetOpset, OrtShapeInference.TryInfer(model).Shapes);
    }

    /// <summary>Converts a model held as a message only (no external data to resolve).</summary>
    public static OpsetConversionResult Convert(ModelProto model, int targetOpset) => Convert(new OnnxModel(model, null), targetOpset);

    public static OpsetConversionResult Convert(OnnxModel model, int targetOpset, ValueShapes shapes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(shapes);
        var from = model.OpsetVersion("");
        Validate(model, from, targetOpset);
        if (from == targetOpset)
        {
            return new OpsetConversionResult(model, from, from, new Dictionary<string, int>());
        }

        var proto = model.Proto.Clone();
        var names = new ModelNames(proto.Graph);
        var adapted = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var adapter in OpAdapters.Between((int)from, targetOpset))
        {
            Apply(proto.Graph, adapter, new AdapterState(shapes, names, (int)from, targetOpset, model.DisplayName, adapted));
        }

        SetOpset(proto, targetOpset);
        return new OpsetConversionResult(new OnnxModel(proto, model.BaseDirectory, model.SourcePath), from, targetOpset, adapted);
    }

    /// <summary>
    /// Loads the converted model in ONNX Runtime (graph optimizations off, never run) and turns a refusal into
    /// CB2033, unless ORT refuses the source model too (then the conversion is not to blame and nothing is said).
    /// </summary>
    public static void EnsureRuntimeAccepts(OnnxModel source, OpsetConversionResult result)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(result);
        if (!result.Changed)
        {
            return;
        }

        var settings = new Runtime.SessionSettings { OptimizationLevel = Runtime.GraphOptimizationLevel.None, IntraOpThreads = 1, InterOpThreads = 1 };
        try
        {
            using var converted = Runtime.ModelSessions.Open(result.Model, settings);
        }
        catch (CompressBuildException e) when (e.Code == DiagnosticCodes.ModelRejectedByRuntime)
        {
            try
            {
                using var original = Runtime.ModelSessions.Open(source, settings);
            }
            catch (CompressBuildException)
            {
                return;
            }

            throw new CompressBuildException(DiagnosticCodes.OpsetConvertedModelRejected,
                $"the model converted from opset {result.FromOpset} to {result.ToOpset} is refused by ONNX Runtime, which loads the original: {e.Message}", source.DisplayName);
        }
    }

    /// <summary>The IR version a model importing <paramref name="opset"/> needs at least (from ONNX's versioning table).</summary>
    public static long RequiredIrVersion(int opset) => opset switch
    {
        <= 8 => 3,
        9 => 4,
        10 => 5,
        11 => 6,
        <= 14 => 7,
        <= 18 => 8,
        <= 20 => 9,
        <= 22 => 10,
        _ => 11,
    };

    private static void Validate(OnnxModel model, long from, int target)
    {
        if (target < OpAdapters.MinTarget || target > OpAdapters.MaxTarget)
        {
            throw new CompressBuildException(DiagnosticCodes.OpsetTargetInvalid,
                $"opset {target} is not a target the converter supports; choose {OpAdapters.MinTarget} to {OpAdapters.MaxTarget} (13 for per-channel QDQ, 21 for blocked int4 DequantizeLinear).",
                    model.DisplayName);
        }

        if (from == 0)
        {
            throw new CompressBuildException(DiagnosticCodes.OpsetSourceTooOld,
                "the model imports no default-domain (ai.onnx) opset, so there is nothing to convert from.", model.DisplayName);
        }

        if (from < OpAdapters.MinSource)
        {
            throw new CompressBuildException(DiagnosticCodes.OpsetSourceTooOld,
                $"the model uses opset {from}; conversion starts at opset {OpAdapters.MinSource} (older models use experimental ops and consumed_inputs attributes ONNX removed); re-export at a " +
                    $"newer opset.", model.DisplayName);
        }

        if (from > target)
        {
            throw new CompressBuildException(DiagnosticCodes.OpsetTargetInvalid,
                $"the model already uses opset {from}, above the target {target}; the converter only raises opsets.", model.DisplayName);
        }
    }

    private static void Apply(GraphProto graph, IOpAdapter adapter, AdapterState state)
    {
        var context = new AdapterContext(graph, state.Shapes, state.Names, state.From, state.Target, state.File);
        for (var i = 0; i < graph.Node.Count; i++)
        {
            var node = graph.Node[i];
            foreach (var body in NodeAttributes.Subgraphs(node))
            {
                Apply(body, adapter, state);
            }

            if (node.OpType != adapter.OpType || node.Domain is not ("" or "ai.onnx"))
            {
                continue;
            }

            if (node.Name.Length == 0)
            {
                node.Name = state.Names.Unique($"{node.OpType}_{i}");
            }

            var before = node.Clone();
            var replacement = adapter.Adapt(node, context);
            graph.Node.RemoveAt(i);
            for (var k = 0; k < replacement.Count; k++)
            {
                graph.Node.Insert(i + k, replacement[k]);
            }

            i += replacement.Count - 1;
            if (replacement.Count != 1 || !replacement[0].Equals(before))
            {
                // Counted only when the node really changed (a BatchNormalization with one output passes 14 as it is).
                state.Adapted[before.OpType] = state.Adapted.GetValueOrDefault(before.OpType) + 1;
            }
        }
    }

    private static void SetOpset(ModelProto proto, int target)
    {
        var entry = proto.OpsetImport.First(o => o.Domain is "" or "ai.onnx");
        entry.Version = target;
        proto.IrVersion = Math.Max(proto.IrVersion, RequiredIrVersion(target));
    }

    private sealed record AdapterState(ValueShapes Shapes, ModelNames Names, int From, int Target, string File, SortedDictionary<string, int> Adapted);
}
