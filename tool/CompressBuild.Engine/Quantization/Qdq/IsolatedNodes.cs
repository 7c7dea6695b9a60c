using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Operators;

namespace CompressBuild.Engine.Quantization.Qdq;

/// <summary>
/// A node without weights that int8-static would quantize although no node it reads from and no node reading it is
/// quantized gains nothing: it becomes QuantizeLinear on its inputs, an int8 kernel and DequantizeLinear on its output,
/// all between float ops, which only adds rounding error and time. Silero VAD's STFT sums the squares of the real and
/// imaginary parts in such an Add; quantizing that sum to 8 bits (a power spectrum spans many decades) dropped the
/// speech-decision agreement from above 97% to 90%, both where the STFT sits in an If branch (Silero v5) and where it
/// sits in the main graph (the opset-15 export: 89.99% -> 98.38% on 20 s of speech), so it applies to every graph.
/// </summary>
internal static class IsolatedNodes
{
    public const string Reason = "nothing it reads from or that reads it is quantized: alone it would only add Q/DQ error and time";

    /// <summary>Drops such nodes from the selection (repeatedly: dropping one can isolate its neighbour); returns them.</summary>
    public static List<NodeProto> Drop(GraphIndex index, List<(NodeProto Node, OperatorQuantizer Quantizer)> selected, HashSet<NodeProto> selectedSet)
    {
        var dropped = new List<NodeProto>();
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var (node, quantizer) in selected.ToList())
            {
                if (quantizer.IsWeighted)
                {
                    continue;
                }

                var producers = node.Input.Where(i => i.Length > 0).Select(index.Producer).OfType<NodeProto>();
                var consumers = node.Output.Where(o => o.Length > 0).SelectMany(index.Consumers);
                if (!producers.Concat(consumers).Any(n => selectedSet.Contains(n) || IsFoldedRelu(n, index, selectedSet)))
                {
                    selected.RemoveAll(s => ReferenceEquals(s.Node, node));
                    selectedSet.Remove(node);
                    dropped.Add(node);
                    changed = true;
                }
            }
        }

        return dropped;
    }

    /// <summary>A Relu after a quantized node is folded into that node's output quantization, so it counts as quantized.</summary>
    private static bool IsFoldedRelu(NodeProto node, GraphIndex index, HashSet<NodeProto> selectedSet) =>
        node.OpType == "Relu" && index.Producer(node.Input[0]) is { } producer && selectedSet.Contains(producer);
}
