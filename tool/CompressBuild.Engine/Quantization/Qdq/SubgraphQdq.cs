using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Quantization.Operators;
using CompressBuild.Engine.Quantization.Selection;

namespace CompressBuild.Engine.Quantization.Qdq;

/// <summary>
/// int8-static inside If/Loop/Scan bodies. Each If branch the calibration data takes is calibrated on a copy of the model
/// with those branches inlined (<see cref="BranchInlining"/>; inside a Loop/Scan body too, whose values are then stacked over
/// the iterations) and gets the same QDQ as the main graph. What int8-static
/// cannot calibrate or has no QDQ form for keeps float compute but stores its weights as int8 behind DequantizeLinear (the
/// int8-weight form; ONNX Runtime folds the DequantizeLinear at load): the layers of a branch never taken on the calibration
/// data (Silero VAD's 8 kHz branch when the data is 16 kHz audio), of a body whose If condition varies or of a Loop/Scan
/// nested in a Loop/Scan body (CB4029 says which and why), and LSTM, for which ONNX Runtime has no QDQ kernel (its W and R read through
/// Cast and Mul instead: <see cref="FloatComputeWeights"/>).
/// </summary>
internal static class SubgraphQdq
{
    public static void Apply(QuantizationWork work, IReadOnlyList<GraphProto> bodies, Dataset calibration, QuantizationOptions options)
    {
        var weighted = bodies.Where(b => b.Node.Any(n => OperatorQuantizers.For(n.OpType) is { IsWeighted: true } || HasWeightOnlyFormOnly(n.OpType))).ToList();
        if (weighted.Count == 0)
        {
            return;
        }

        var graphs = Subgraphs.Graphs(work.Graph).ToList();
        var readBefore = Subgraphs.ReadNames(work.Graph);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var cpu = Environment.CpuUsage.TotalTime;
        BranchCalibration branches;
        try
        {
            branches = BranchInlining.Inline(work.Model, calibration, options.Session);
        }
        catch (Runtime.OrtException e)
        {
            // The calibration copy is ours, not the user's model: if ONNX Runtime refuses it, no branch is calibrated, none fails the run.
            var why = $"ONNX Runtime could not run the calibration copy with the If branches inlined ({e.Message.Split('\n')[0]})";
            var reasons = weighted.ToDictionary<GraphProto, GraphProto, string>(b => b, _ => why, ReferenceEqualityComparer.Instance);
            branches = new BranchCalibration(work.Model, new(ReferenceEqualityComparer.Instance), reasons);
        }

        work.CalibrationMilliseconds += clock.Elapsed.TotalMilliseconds;
        work.CalibrationCpuMilliseconds += (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
        var floatCompute = new List<string>();
        var uncalibrated = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var body in weighted)
        {
            var observed = branches.Observes(body);
            var placed = new HashSet<NodeProto>();
            if (observed)
            {
                placed = QdqQuantizer.ApplyTo(work, body, calibration, options, branches.Model, branches);
            }

            var stored = FloatComputeWeights.Store(work, body, options, observed ? n => HasWeightOnlyFormOnly(n.OpType) || placed.Contains(n) : _ => true, placed);
            if (observed)
            {
                // Nodes latency placement kept float are counted by CB4020 already.
                floatCompute.AddRange(stored.Where(HasWeightOnlyFormOnly));
            }
            else if (stored.Count > 0)
            {
                var why = branches.Unobserved[body];
                uncalibrated[why] = [.. uncalibrated.GetValueOrDefault(why) ?? [], .. stored];
            }
        }

        foreach (var (why, stored) in uncalibrated)
        {
            work.Advise(DiagnosticCodes.SubgraphNotCalibrated, $"{Describe(stored)} keep float compute with int8 weights behind DequantizeLinear: {why}; " +
                $"calibration data that takes that path would let int8-static quantize them.");
        }

        if (floatCompute.Count > 0)
        {
            work.Advise(DiagnosticCodes.OperatorLeftFloat, $"{Describe(floatCompute)} inside If branches keep float compute with int8 weights (read through " +
                $"Cast and Mul, folded at load): ONNX Runtime has no QDQ kernel for LSTM/GRU; int8-dynamic runs them as DynamicQuantizeLSTM.");
        }

        Subgraphs.RemoveUnread(graphs, readBefore);
        if (floatCompute.Count > 0 || uncalibrated.Count > 0)
        {
            // A MatMul's int8-weight form is com.microsoft MatMulNBits.
            GraphEditor.EnsureOpset(work.Proto, GraphEditor.MicrosoftDomain, 1);
        }
    }

    /// <summary>Ops int8-static has no QDQ form for but whose weights the int8-weight form stores as int8 (LSTM, GRU).</summary>
    private static bool HasWeightOnlyFormOnly(string opType) => OperatorQuantizers.For(opType) is null && OperatorQuantizers.For(opType, OpMode.WeightOnly) is not null;

    private static string Describe(IEnumerable<string> opTypes) =>
        string.Join(", ", opTypes.GroupBy(t => t, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));
}
