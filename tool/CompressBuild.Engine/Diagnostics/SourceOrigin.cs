using System.Globalization;

namespace CompressBuild.Engine.Diagnostics;

/// <summary>
/// A place a diagnostic points at, parsed from MSBuild's origin form <c>FILE(LINE,COLUMN)</c>, <c>FILE(LINE)</c> or
/// <c>FILE</c>. The MSBuild task passes it with <c>run --origin</c> for a config it generated from an item's
/// metadata, so errors point at the project file's line instead of a file in obj/ that the user never wrote.
/// </summary>
public sealed record SourceOrigin(string File, int? Line, int? Column)
{
    /// <summary>
    /// Only the last parenthesised suffix counts, and only when it holds one or two positive whole numbers:
    /// folder and file names may themselves contain parentheses (<c>C:\Users\me (work)\App.csproj</c>).
    /// </summary>
    public static SourceOrigin Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, "--origin is empty; give FILE, FILE(LINE) or FILE(LINE,COLUMN).");
        }

        if (trimmed.EndsWith(')') && trimmed.LastIndexOf('(') is var open and > 0)
        {
            var parts = trimmed[(open + 1)..^1].Split(',');
            if (parts.Length <= 2 && parts.All(IsPositive))
            {
                var file = trimmed[..open].TrimEnd();
                if (file.Length > 0)
                {
                    return new SourceOrigin(file, Number(parts[0]), parts.Length == 2 ? Number(parts[1]) : null);
                }
            }
        }

        return new SourceOrigin(trimmed, null, null);
    }

    private static bool IsPositive(string part) =>
        part.Trim() is { Length: > 0 and <= 9 } digits && digits.All(char.IsAsciiDigit) && Number(digits) > 0;

    private static int Number(string part) => int.Parse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
}
