using System.Globalization;
using System.Text.RegularExpressions;

namespace CompressBuild.Tasks;

/// <summary>
/// The link between a generated compress.yaml and the item it came from: every line set from a metadata ends in
/// <c># &lt;- Name (line,column)</c>. Reading those comments back lets the task show an engine diagnostic about
/// line 14 of the generated file at the attribute the user wrote (MinCosine="0.99" at app.csproj(15,60)).
/// </summary>
internal static class GeneratedConfigMap
{
    private static readonly Regex Marker = new(@"#\s*<-\s*(?<name>[A-Za-z0-9_]+)(?:\s*\((?<line>\d+),(?<column>\d+)\))?\s*$", RegexOptions.CultureInvariant);

    /// <summary>The comment for a line set from <paramref name="name"/>; line 0 when the attribute's position is unknown.</summary>
    public static string Comment(string name, int line, int column) => line > 0
        ? string.Format(CultureInfo.InvariantCulture, "# <- {0} ({1},{2})", name, line, column)
        : "# <- " + name;

    /// <summary>For each 1-based line of <paramref name="configFile"/> set from a metadata: its name and position (0 when unknown).</summary>
    public static Dictionary<int, (string Name, int Line, int Column)> Read(string configFile)
    {
        var map = new Dictionary<int, (string, int, int)>();
        if (!File.Exists(configFile))
        {
            return map;
        }

        var lines = File.ReadAllLines(configFile);
        for (var i = 0; i < lines.Length; i++)
        {
            var match = Marker.Match(lines[i]);
            if (match.Success && !lines[i].TrimStart().StartsWith("#", StringComparison.Ordinal))
            {
                map[i + 1] = (
                    match.Groups["name"].Value,
                    match.Groups["line"].Success ? int.Parse(match.Groups["line"].Value, CultureInfo.InvariantCulture) : 0,
                    match.Groups["column"].Success ? int.Parse(match.Groups["column"].Value, CultureInfo.InvariantCulture) : 0);
            }
        }

        return map;
    }
}
