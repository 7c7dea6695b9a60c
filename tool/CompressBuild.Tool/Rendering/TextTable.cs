using System.Text;

namespace CompressBuild.Tool.Rendering;

/// <summary>Plain, aligned columns: readable in a terminal, in CI logs and when piped, with no escape codes.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> rows = [];

    public TextTable Add(params object?[] cells)
    {
        rows.Add(cells.Select(c => c?.ToString() ?? "").ToArray());
        return this;
    }

    public void WriteTo(TextWriter writer, string indent = "  ")
    {
        var all = headers.Length > 0 ? rows.Prepend(headers).ToList() : rows;
        if (all.Count == 0)
        {
            // A table with no header and no rows (a graph with no inputs) prints nothing.
            return;
        }

        var widths = Enumerable.Range(0, all.Max(r => r.Length)).Select(c => all.Max(r => c < r.Length ? r[c].Length : 0)).ToArray();
        foreach (var row in all)
        {
            var line = new StringBuilder(indent);
            for (var c = 0; c < row.Length; c++)
            {
                line.Append(c == row.Length - 1 ? row[c] : row[c].PadRight(widths[c] + 2));
            }

            writer.WriteLine(line.ToString().TrimEnd());
        }
    }
}
