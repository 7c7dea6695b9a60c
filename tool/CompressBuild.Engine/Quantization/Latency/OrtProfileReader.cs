using System.Text.Json;

namespace CompressBuild.Engine.Quantization.Latency;

/// <summary>
/// Reads the JSON profile ONNX Runtime writes with profiling on (a Chrome trace: one event per node and run). Each
/// node's kernel time is the median over the runs, because on a busy machine single runs are often pre-empted and
/// a mean would charge that to whichever node was running.
/// </summary>
public static class OrtProfileReader
{
    private const string KernelSuffix = "_kernel_time";

    public static IReadOnlyList<NodeTiming> Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        return Read(document.RootElement);
    }

    public static IReadOnlyList<NodeTiming> Read(JsonElement events)
    {
        var durations = new Dictionary<string, (string OpType, List<double> Values)>(StringComparer.Ordinal);
        foreach (var e in events.EnumerateArray())
        {
            if (!e.TryGetProperty("cat", out var category) || category.GetString() != "Node"
                || !e.TryGetProperty("name", out var nameElement) || nameElement.GetString() is not { } name || !name.EndsWith(KernelSuffix, StringComparison.Ordinal)
                || !e.TryGetProperty("dur", out var duration))
            {
                continue;
            }

            var node = name[..^KernelSuffix.Length];
            var opType = e.TryGetProperty("args", out var args) && args.TryGetProperty("op_name", out var op) ? op.GetString() ?? "" : "";
            if (!durations.TryGetValue(node, out var entry))
            {
                durations[node] = entry = (opType, []);
            }

            entry.Values.Add(duration.GetDouble());
        }

        return durations.Select(d => new NodeTiming(d.Key, d.Value.OpType, Median(d.Value.Values)))
            .OrderBy(t => t.Node, StringComparer.Ordinal).ToList();
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
