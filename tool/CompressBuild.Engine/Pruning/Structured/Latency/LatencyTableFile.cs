using System.Text.Json;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;

namespace CompressBuild.Engine.Pruning.Structured.Latency;

/// <summary>Reads and writes a <see cref="LatencyTable"/> as JSON (camelCase, indented; times rounded to 0.1 µs so the file is stable text).</summary>
internal static class LatencyTableFile
{
    public static LatencyTable Read(string path)
    {
        LatencyTable? table;
        try
        {
            table = JsonSerializer.Deserialize<LatencyTable>(File.ReadAllText(path), JsonFormat.Indented);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new CompressBuildException(DiagnosticCodes.LatencyTableInvalid, $"{path}: cannot read the latency table: {e.Message}; delete it to have it measured again.");
        }

        if (table is null || table.Key is null || table.Groups is null || table.Groups.Any(g => g?.Producers is null || g.Points is null || g.Points.Any(p => p is null)))
        {
            throw new CompressBuildException(
                DiagnosticCodes.LatencyTableInvalid,
                $"{path}: not a latency table (key, machine and groups with producers and points expected); delete it to have it measured again.");
        }

        return table;
    }

    public static void Write(string path, LatencyTable table)
    {
        TextFile.Write(path, JsonSerializer.Serialize(RoundTrip(table), JsonFormat.Indented) + "\n");
    }

    /// <summary>The table as it reads back from its file: what the allocation uses, so a fresh measurement and a cached one give the same plan.</summary>
    public static LatencyTable RoundTrip(LatencyTable table) => table with
    {
        ModelMs = Math.Round(table.ModelMs, 4),
        Groups = table.Groups.Select(g => g with { Points = g.Points.Select(p => p with { Ms = Math.Round(p.Ms, 4), SavedMs = Math.Round(p.SavedMs, 4) }).ToList() }).ToList(),
    };
}
