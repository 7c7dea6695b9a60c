using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;
using Google.Protobuf;

namespace CompressBuild.Engine.Pruning.Structured.Latency;

/// <summary>
/// Where <c>allocation: latency</c>'s table comes from, so timing noise cannot change a build's bytes: the file
/// <c>latency_table</c> names (read when it exists, and then it must match and cover the plan; measured and written when it does
/// not), else the CompressBuild cache's entry for this model, input size, CPU class and ONNX Runtime version (widths it lacks are
/// measured and added), else a fresh measurement. A fresh table goes through the same rounding as a written one, so the first
/// build and every cached repeat plan from the same numbers.
/// </summary>
internal static class LatencyTableSource
{
    private const string Format = "compressbuild-latency-table-1";

    public static LatencyAllocationReport Obtain(ChannelGraph graph, OnnxModel model, PruneSettings settings,
        IReadOnlyList<(string Producers, int Channels, IReadOnlyList<int> Ranked)> groups, IReadOnlyList<IReadOnlyCollection<int>> counts)
    {
        // Timed at the size the model will run at: the first calibration sample (the channel graph's own shapes may be at symbolic sizes of 1).
        var sample = CalibrationSet.Open(model, settings).Sample(0);
        var shapes = ShapeProbe.Run(model, sample);
        var key = Key(model, sample);
        var machine = string.Create(CultureInfo.InvariantCulture, $"{MachineProbe.Current.CpuModel} (class {MachineProbe.Current.Id}), ONNX Runtime {InferenceSession.RuntimeVersion}");
        var untimed = new List<string>();
        var clock = Stopwatch.StartNew();
        if (settings.LatencyTable is { } file && File.Exists(file))
        {
            var table = LatencyTableFile.Read(file);
            if (table.Key != key)
            {
                throw new CompressBuildException(DiagnosticCodes.LatencyTableMismatch,
                    $"{file}: the latency table was measured for another model, input size, CPU class or ONNX Runtime version ({table.Machine}; this is {machine}); " +
                        "delete it (or name a new file) to have it measured here.");
            }

            var missing = table.ModelMs > 0 ? Missing(table, groups, counts) : "the whole model";
            if (missing is not null)
            {
                throw new CompressBuildException(DiagnosticCodes.LatencyTableMismatch,
                    $"{file}: the latency table has no time for {missing}, a width this plan may choose (the sparsity, round_to or calibration data changed since it was " +
                        "measured); delete it (or name a new file) to have it measured again.");
            }

            untimed.AddRange(groups.Where((g, i) => table.Find(g.Producers) is { Points.Count: 0 } && counts[i].Any(c => c > 0)).Select(g => g.Producers));
            return new LatencyAllocationReport("file", file, 0, 0, 0, untimed, table);
        }

        var cachePath = settings.LatencyTable ?? (settings.LatencyCache is { } folder ? Path.Combine(folder, key[..32] + ".json") : null);
        LatencyTable? known = null;
        if (settings.LatencyTable is null && cachePath is not null && File.Exists(cachePath))
        {
            try
            {
                known = LatencyTableFile.Read(cachePath);
                known = known.Key == key ? known : null;
            }
            catch (CompressBuildException)
            {
                // A damaged cache entry is measured again and replaced.
            }
        }

        var complete = known is not null && Missing(known, groups, counts) is null && known.ModelMs > 0;
        var rows = LatencyTableBuilder.Measure(graph, shapes, groups, counts, known, untimed);
        var modelMs = known?.ModelMs ?? 0;
        if (modelMs <= 0)
        {
            modelMs = LatencyRounds.Median(LatencyRounds.Measure([model], sample)[0]);
        }

        var result = LatencyTableFile.RoundTrip(new LatencyTable(key, machine, Merge(known, rows)) { ModelMs = modelMs });
        if (!complete && cachePath is not null)
        {
            LatencyTableFile.Write(cachePath, result);
        }

        return new LatencyAllocationReport(complete ? "cache" : "measured", cachePath, complete ? 0 : clock.Elapsed.TotalSeconds, 0, 0, untimed, result);
    }

    /// <summary>The first group width the plan may choose that <paramref name="table"/> lacks, in words; null when it has them all.</summary>
    private static string? Missing(LatencyTable table, IReadOnlyList<(string Producers, int Channels, IReadOnlyList<int> Ranked)> groups, IReadOnlyList<IReadOnlyCollection<int>> counts)
    {
        for (var g = 0; g < groups.Count; g++)
        {
            var (producers, channels, ranked) = groups[g];
            var needed = counts[g].Where(c => c > 0 && c <= ranked.Count).ToList();
            if (needed.Count == 0)
            {
                continue;
            }

            if (table.Find(producers) is not { } row || row.Channels != channels)
            {
                return $"channel group {producers}";
            }

            if (row.Points.Count > 0 && needed.FirstOrDefault(c => row.Saved(channels - c) is null) is var lacking && lacking > 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"channel group {producers} at {channels - lacking} of {channels} channels");
            }
        }

        return null;
    }

    /// <summary>The rows measured now, then the known rows of groups this plan did not ask about (kept, so a cache entry only grows).</summary>
    private static List<LatencyTableGroup> Merge(LatencyTable? known, List<LatencyTableGroup> rows) =>
        [.. rows, .. (known?.Groups ?? []).Where(k => rows.All(r => r.Producers != k.Producers))];

    private static string Key(OnnxModel model, IReadOnlyList<HostTensor> sample)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{Format}\n{MachineProbe.Current.Id}\n{InferenceSession.RuntimeVersion}\n"));
        foreach (var input in sample)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{input.Name}:{string.Join(",", input.Shape)}\n"));
        }

        hash.AppendData(model.Proto.ToByteArray());
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
