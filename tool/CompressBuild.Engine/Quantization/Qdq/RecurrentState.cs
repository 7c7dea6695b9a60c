using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Quantization.Operators;

namespace CompressBuild.Engine.Quantization.Qdq;

/// <summary>
/// int8-static keeps recurrent state float: the values a recurrent op takes or returns as its state (the inputs and outputs
/// its class in <see cref="OperatorQuantizers"/> declares: LSTM's initial_h/initial_c and Y_h/Y_c, GRU's and RNN's h), the values a
/// Loop or Scan body carries to its next iteration, and the values that only move them there unchanged (Identity, shape ops,
/// Cast, Concat, If outputs) get no Q/DQ pair. A Q/DQ pair on such a value rounds the state to 8 bits on every step, and the
/// recurrence feeds that error back into every later step: on Silero VAD inside a Loop over 64 chunks, the 5 pairs on the LSTM's
/// returned h and c (their Unsqueeze and the Concat that becomes the carried state) cost the returned state's cosine 0.966 -> 0.990
/// on their own, while removing any one activation pair upstream of the LSTM gained at most 0.003 (<c>vad-state --ablate</c>).
/// Values computed from the state by other ops (the decoder's read of h) are quantized as usual, and so is everything that
/// feeds the recurrent op's input, on the range <see cref="RangeMethod"/> chooses for it.
/// </summary>
internal static class RecurrentState
{
    public const string Reason = "it only passes on recurrent state, which stays float: rounding the state to 8 bits on every step feeds the error back into the recurrence";

    /// <summary>Ops whose output is their data input, or part of it, unchanged: a recurrent op's returned state stays state through them.</summary>
    private static readonly HashSet<string> Moves = new(StringComparer.Ordinal)
    {
        "Identity", "Unsqueeze", "Squeeze", "Reshape", "Flatten", "Transpose", "Cast", "Concat", "Slice", "Gather", "Split",
    };

    /// <summary>Ops whose every data input is wholly in their output: a value carried as state makes their inputs state too.</summary>
    private static readonly HashSet<string> Keeps = new(StringComparer.Ordinal) { "Identity", "Unsqueeze", "Squeeze", "Reshape", "Flatten", "Transpose", "Cast", "Concat" };

    /// <summary>
    /// The names of the recurrent-state values in the model of <paramref name="main"/> and every graph nested in it: everything that
    /// moves unchanged into a sink (a Loop/Scan carried output, a recurrent op's state input, a recurrent op's state output, or a main-graph
    /// output that a recurrent op's returned state reaches by such moves).
    /// </summary>
    public static HashSet<string> Values(GraphProto main)
    {
        var graphs = Subgraphs.Graphs(main).ToList();
        var nodes = graphs.SelectMany(g => g.Node).ToList();
        var returned = new HashSet<string>(StringComparer.Ordinal);
        var sinks = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (OperatorQuantizers.Find(node.OpType) is { } quantizer)
            {
                returned.UnionWith(quantizer.StateOutputs.Where(i => i < node.Output.Count).Select(i => node.Output[i]));
                sinks.UnionWith(quantizer.StateInputs.Where(i => i < node.Input.Count).Select(i => node.Input[i]));
            }

            sinks.UnionWith(CarriedOutputs(node));
        }

        sinks.UnionWith(returned);
        var reached = Close(nodes, returned, forward: true);
        sinks.UnionWith(main.Output.Select(o => o.Name).Where(reached.Contains));
        var state = Close(nodes, sinks, forward: false);
        state.Remove("");
        return state;
    }

    /// <summary>
    /// The range method for an activation under <paramref name="method"/>: the values a recurrent op's input is computed from take the
    /// mse range in place of the default percentile one. The recurrence integrates the noise of its input over every step, so the range
    /// with the least squared error wins there over the one that clips the fewest values: on Silero VAD inside a Loop over 64 chunks, with
    /// the state float, the returned state's cosine was 0.931 / 0.928 on two sets of test speech under percentile and 0.987 / 0.992 with
    /// mse on the 5 activations of the STFT and encoder that feed the LSTM (the probabilities' cosine 0.997 -> 0.998 and 0.999 -> 0.999).
    /// A method the user chose (minmax, entropy, mse, search) stands.
    /// </summary>
    public static CalibrationMethod RangeMethod(CalibrationMethod method, bool feedsRecurrence) =>
        feedsRecurrence && method == CalibrationMethod.Percentile ? CalibrationMethod.Mse : method;

    /// <summary>
    /// The names of the values a recurrent op's input X (input 0 of LSTM, GRU and RNN) is computed from, in any graph of the model: every
    /// value upstream of it through any op and across If boundaries, the state excluded by the caller (it is never quantized).
    /// </summary>
    public static HashSet<string> Inputs(GraphProto main)
    {
        var nodes = Subgraphs.Graphs(main).SelectMany(g => g.Node).ToList();
        var set = nodes.Where(n => OperatorQuantizers.Find(n.OpType) is { } q && q.StateOutputs.Any() && n.Input.Count > 0).Select(n => n.Input[0]).ToHashSet(StringComparer.Ordinal);
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var node in nodes.Where(n => n.Output.Any(set.Contains)))
            {
                changed |= node.Input.Aggregate(false, (any, name) => set.Add(name) | any);
                if (node.OpType == "If")
                {
                    var branches = NodeAttributes.Subgraphs(node).ToList();
                    for (var k = 0; k < node.Output.Count; k++)
                    {
                        if (set.Contains(node.Output[k]))
                        {
                            changed |= branches.Where(b => k < b.Output.Count).Aggregate(false, (any, b) => set.Add(b.Output[k].Name) | any);
                        }
                    }
                }
            }
        }

        set.Remove("");
        return set;
    }

    /// <summary>
    /// The closure of <paramref name="seeds"/> through value-moving ops and If boundaries: forward (what the seeds move into) or backward
    /// (what moves unchanged into the seeds).
    /// </summary>
    private static HashSet<string> Close(List<NodeProto> nodes, IEnumerable<string> seeds, bool forward)
    {
        var set = new HashSet<string>(seeds, StringComparer.Ordinal);
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var node in nodes)
            {
                if (node.OpType == "If" && node.Domain is "" or "ai.onnx")
                {
                    var branches = NodeAttributes.Subgraphs(node).ToList();
                    for (var k = 0; k < node.Output.Count; k++)
                    {
                        var inner = branches.Where(b => k < b.Output.Count).Select(b => b.Output[k].Name).ToList();
                        changed |= forward
                            ? inner.Any(set.Contains) && set.Add(node.Output[k])
                            : set.Contains(node.Output[k]) && inner.Aggregate(false, (any, name) => set.Add(name) | any);
                    }

                    continue;
                }

                if (node.Domain is not ("" or "ai.onnx") || !(forward ? Moves : Keeps).Contains(node.OpType))
                {
                    continue;
                }

                var data = node.OpType == "Concat" ? node.Input.ToList() : node.Input.Take(1).ToList();
                changed |= forward
                    ? data.Any(set.Contains) && node.Output.Aggregate(false, (any, name) => set.Add(name) | any)
                    : node.Output.Any(set.Contains) && data.Aggregate(false, (any, name) => set.Add(name) | any);
            }
        }

        return set;
    }

    /// <summary>A Loop's or Scan's carried values: its body's outputs that become the next iteration's inputs, and its final values.</summary>
    private static IEnumerable<string> CarriedOutputs(NodeProto node)
    {
        if (node.Domain is not ("" or "ai.onnx") || node.OpType is not ("Loop" or "Scan") || NodeAttributes.Graph(node, "body") is not { } body)
        {
            return [];
        }

        // Loop: inputs M, cond, then the carried values; body outputs cond, then the carried values. Scan: the carried values come first.
        var carried = node.OpType == "Loop" ? node.Input.Count - 2 : node.Input.Count - (int)NodeAttributes.Int(node, "num_scan_inputs", 0);
        var first = node.OpType == "Loop" ? 1 : 0;
        carried = Math.Clamp(carried, 0, Math.Min(node.Output.Count, body.Output.Count - first));
        return body.Output.Skip(first).Take(carried).Select(o => o.Name).Concat(node.Output.Take(carried));
    }
}
