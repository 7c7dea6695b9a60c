using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Selection;

namespace CompressBuild.Engine.Quantization.Fp16;

/// <summary>
/// fp16: float32 weights become float16 and every op outside the block list computes in float16. Values
/// crossing between float16 and float32 ops get one Cast each. By default the model's inputs and outputs keep
/// float32 (a Cast after each input and before each output), so callers do not change. If/Loop/Scan bodies are
/// converted too, their boundaries kept float32.
/// Nodes float16 cannot serve stay float32, like the node block list of ONNX Runtime's float16 converter, but
/// found rather than listed: nodes reading constants outside float16's range, nodes whose activations leave its
/// safe range on data, and nodes whose float16 output diverges from float32 on data (calibration samples when
/// given, a generated input otherwise), measured again after each round of blocking.
/// </summary>
internal static class Fp16Converter
{
    /// <summary>Rounds of measure-and-block: each round blocks every node found diverging, then measures the new candidate.</summary>
    private const int MaxRounds = 4;

    public static void Apply(QuantizationWork work, QuantizationOptions options, Dataset? calibration)
    {
        var pristine = work.Graph.Clone();
        var floatModel = new OnnxModel(work.Proto.Clone(), work.Model.BaseDirectory, work.Model.SourcePath);
        var unsafeNodes = Fp16Ranges.ConstantsOutOfRange(floatModel);
        var probe = Fp16Probe.TryCreate(floatModel, calibration, options.Session, out var skipped);
        var activations = probe is null ? null : Measure(probe.ActivationsOutOfRange, ref skipped);
        if (activations is null)
        {
            probe = null;
            work.Advise(Diagnostics.DiagnosticCodes.Fp16NotMeasured, $"fp16 could not run the model on " +
                $"{(calibration is null ? "a generated input" : "the calibration data")} ({skipped}); only nodes with constants outside float16's " +
                $"range were kept float32. Give calibration data (compress.yaml: calibration) so each node's divergence is measured.");
        }
        else
        {
            foreach (var (node, reason) in activations)
            {
                unsafeNodes.TryAdd(node, reason);
            }
        }

        Convert(work, options, unsafeNodes);
        for (var round = 0; probe is not null && round < MaxRounds && work.Decisions.Any(d => d.Quantized); round++)
        {
            // Measured with float32 I/O so the probe's samples fit; the user's I/O choice is applied after.
            var measured = options.KeepIoTypes ? work.Model : Converted(pristine, work, options with { KeepIoTypes = true }, unsafeNodes);
            var converted = work.Decisions.Where(d => d.Quantized).Select(d => d.Node).ToHashSet(StringComparer.Ordinal);
            var diverging = Measure(() => probe.Diverging(measured, converted), ref skipped);
            if (diverging is null)
            {
                work.Advise(Diagnostics.DiagnosticCodes.Fp16NotMeasured, $"fp16 could not run its candidate on {probe.Source} ({skipped}); the nodes found so far stay float32.");
                break;
            }
            if (diverging.Count == 0)
            {
                break;
            }

            foreach (var (node, reason) in diverging)
            {
                unsafeNodes.TryAdd(node, reason);
            }

            work.Proto.Graph = pristine.Clone();
            work.Decisions.Clear();
            Convert(work, options, unsafeNodes);
        }

        if (!work.Decisions.Any(d => d.Quantized))
        {
            return;
        }

        var kept = work.Decisions.Where(d => !d.Quantized && unsafeNodes.ContainsKey(d.Node)).ToList();
        if (kept.Count > 0)
        {
            var measuredOn = probe is null ? "" : $" (measured on {probe.Source})";
            work.Advise(Diagnostics.DiagnosticCodes.Fp16NodesKeptFloat,
                $"fp16 kept {kept.Count} node(s) float32 because float16 cannot hold their values{measuredOn}: " +
                    $"{string.Join("; ", kept.Take(5).Select(d => $"{d.Node} ({d.OpType}): {d.Detail}"))}{(kept.Count > 5 ? $"; and {kept.Count - 5} more" : "")}.");
        }

        work.Advise(Diagnostics.DiagnosticCodes.SpeedupUnlikely, "fp16 halves the weights, but ONNX Runtime's CPU provider has few float16 kernels " +
            "and inserts conversions, so expect no speedup on CPU (fp16 pays off on GPUs and NPUs).");
    }

    /// <summary>Runs a measurement; null with the reason when ONNX Runtime cannot run the model on the probe's inputs.</summary>
    private static Dictionary<string, string>? Measure(Func<Dictionary<string, string>> measure, ref string? failure)
    {
        try
        {
            return measure();
        }
        catch (Exception e) when (e is Diagnostics.CompressBuildException or Runtime.OrtException)
        {
            failure = e.Message;
            return null;
        }
    }

    private static void Convert(QuantizationWork work, QuantizationOptions options, IReadOnlyDictionary<string, string> unsafeNodes)
    {
        var order = GraphIndex.Build(work.Graph).TopologicalOrder();
        var selection = new NodeSelection(work.Exclusions, options, order.Where(n => n.OpType is "Conv" or "Gemm" or "MatMul").ToList());
        new Fp16GraphConversion(work, options, selection, unsafeNodes).Convert(work.Graph, new Dictionary<string, int>(StringComparer.Ordinal), isSubgraph: false);
    }

    private static OnnxModel Converted(GraphProto pristine, QuantizationWork work, QuantizationOptions options, IReadOnlyDictionary<string, string> unsafeNodes)
    {
        var proto = work.Proto.Clone();
        proto.Graph = pristine.Clone();
        var copy = new QuantizationWork(new OnnxModel(proto, work.Model.BaseDirectory, work.Model.SourcePath), options);
        Convert(copy, options, unsafeNodes);
        return copy.Model;
    }
}
