using System.Text;

namespace CompressBuild.Benchmarks.Reporting;

/// <summary>Plain aligned columns, readable in a terminal and in CI logs (no escape codes).</summary>
internal static class TextTableWriter
{
    public static void Write(TextWriter writer, IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var all = rows.Prepend(headers).ToList();
        var widths = Enumerable.Range(0, headers.Count).Select(c => all.Max(r => r[c].Length)).ToArray();
        foreach (var row in all)
        {
            var line = new StringBuilder("  ");
            for (var c = 0; c < row.Count; c++)
            {
                // Names left-aligned, numbers right-aligned so their digits line up.
                line.Append(c == 0 ? row[c].PadRight(widths[c]) : row[c].PadLeft(widths[c])).Append("  ");
            }

            writer.WriteLine(line.ToString().TrimEnd());
        }
    }
}
