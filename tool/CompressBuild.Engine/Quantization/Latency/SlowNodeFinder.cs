namespace CompressBuild.Engine.Quantization.Latency;

/// <summary>
/// Compares, node by node, the median kernel time of the quantized model with that of the float model and names
/// the quantized nodes that got slower. A node counts only when it is clearly slower: more than
/// <paramref name="factor"/> times its float time plus <see cref="AbsoluteMarginMicroseconds"/>, so timer noise on
/// a microsecond kernel does not send it back to float. Nodes present in only one profile (fused away, or new) are
/// not judged.
/// </summary>
public static class SlowNodeFinder
{
    /// <summary>The factors of successive rounds: the clearly slower nodes first, the marginal ones only if that paid off.</summary>
    public static IReadOnlyList<double> RoundFactors { get; } = [2.0, 1.5, 1.1];

    public const double AbsoluteMarginMicroseconds = 2;

    public static IReadOnlyList<SlowNode> Find(IEnumerable<NodeDecision> decisions, IReadOnlyDictionary<string, double> quantized, IReadOnlyDictionary<string, double> original, double factor)
    {
        var slow = new List<SlowNode>();
        foreach (var decision in decisions.Where(d => d.Quantized))
        {
            if (quantized.TryGetValue(decision.Node, out var q) && original.TryGetValue(decision.Node, out var f)
                && q > f * factor + AbsoluteMarginMicroseconds)
            {
                slow.Add(new SlowNode(decision.Node, decision.OpType, q, f));
            }
        }

        return slow.OrderByDescending(s => s.QuantizedMicroseconds - s.FloatMicroseconds).ThenBy(s => s.Node, StringComparer.Ordinal).ToList();
    }
}
