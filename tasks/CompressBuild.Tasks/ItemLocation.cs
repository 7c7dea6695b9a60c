using System.Globalization;

namespace CompressBuild.Tasks;

/// <summary>Where an item (or one of its metadata) is written in a project file; line and column 1-based, 0 when unknown.</summary>
internal sealed class ItemLocation
{
    public ItemLocation(string file, int line, int column)
    {
        File = file;
        Line = line;
        Column = column;
    }

    public string File { get; }

    public int Line { get; }

    public int Column { get; }

    /// <summary>Where each metadata is set on the element (attribute or child element), by name, case-insensitive.</summary>
    public Dictionary<string, ItemLocation> Metadata { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The position of <paramref name="metadata"/> when the element sets it, else the element's.</summary>
    public ItemLocation For(string metadata) => Metadata.TryGetValue(metadata, out var at) ? at : this;

    /// <summary>The engine's <c>--origin</c> form: <c>FILE(LINE,COLUMN)</c>, <c>FILE(LINE)</c> or <c>FILE</c>.</summary>
    public override string ToString() => Line <= 0
        ? File
        : Column <= 0
            ? string.Format(CultureInfo.InvariantCulture, "{0}({1})", File, Line)
            : string.Format(CultureInfo.InvariantCulture, "{0}({1},{2})", File, Line, Column);
}
