using System.Text.RegularExpressions;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Latency;

/// <summary>
/// Charges the kernels of ONNX Runtime's optimized graph to the nodes of our graph they came from. ORT keeps a
/// source node's name through most rewrites, or names the new node after it (QDQ fusions add <c>_token_N</c>), or
/// after its output tensor (the NCHWc transformer adds <c>_nchwc</c> to the output's name, and a Conv fused with
/// its BatchNormalization or Relu writes that op's output, which our quantized graph gives the Conv itself). Q/DQ
/// kernels and layout reorders belong to no single node and stay unattributed.
/// </summary>
public static partial class ProfileAttribution
{
    public static IReadOnlyDictionary<string, double> Attribute(GraphProto graph, IEnumerable<NodeTiming> timings)
    {
        var opTypes = graph.Node.Where(n => n.Name.Length > 0).GroupBy(n => n.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().OpType, StringComparer.Ordinal);
        var names = opTypes.Keys.ToHashSet(StringComparer.Ordinal);
        var producers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in graph.Node.Where(n => n.Name.Length > 0))
        {
            foreach (var output in node.Output.Where(o => o.Length > 0))
            {
                producers.TryAdd(output, node.Name);
            }
        }

        var costs = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var timing in timings)
        {
            if (timing.OpType is "QuantizeLinear" or "DequantizeLinear" or "ReorderInput" or "ReorderOutput" or "Transpose" && !names.Contains(timing.Node))
            {
                continue;
            }

            if (Source(timing.Node, names, producers) is { } source && SameOperation(timing.OpType, opTypes[source]))
            {
                costs[source] = costs.GetValueOrDefault(source) + timing.MedianMicroseconds;
            }
        }

        return costs;
    }

    /// <summary>
    /// Whether an ORT kernel can be the runtime form of one of our op types: itself, its integer form (QLinearConv,
    /// ConvInteger, QGemm), a fused form (FusedConv) or a layout variant (NhwcMaxPool). A name shared by two
    /// different operations (an export's Mul that our HardSwish fusion absorbed, say) is not charged to the wrong one.
    /// </summary>
    public static bool SameOperation(string kernel, string opType)
    {
        if (kernel.Length == 0 || kernel == opType)
        {
            return true;
        }

        var core = kernel;
        foreach (var prefix in new[] { "QLinear", "Fused", "Nhwc", "Q" })
        {
            if (core.StartsWith(prefix, StringComparison.Ordinal) && core.Length > prefix.Length && char.IsUpper(core[prefix.Length]))
            {
                core = core[prefix.Length..];
            }
        }

        if (core.EndsWith("Integer", StringComparison.Ordinal))
        {
            core = core[..^"Integer".Length];
        }

        return core == opType;
    }

    private static string? Source(string ortName, HashSet<string> names, Dictionary<string, string> producers)
    {
        var name = ortName;
        while (true)
        {
            if (names.Contains(name))
            {
                return name;
            }

            if (producers.TryGetValue(name, out var producer))
            {
                return producer;
            }

            var shorter = Suffix().Replace(name, "");
            if (shorter == name)
            {
                return null;
            }

            name = shorter;
        }
    }

    [GeneratedRegex(@"(_token_\d+|_nchwc)$", RegexOptions.CultureInvariant)]
    private static partial Regex Suffix();
}
