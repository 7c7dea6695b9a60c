using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Tool.Rendering;

/// <summary>
/// One diagnostic as it is shown: text in MSBuild's canonical form, or one JSON line. Severity is separate from
/// the code because <c>--misses-as-warnings</c> turns a CB1xxx error into a warning.
/// </summary>
/// <param name="Code">"CB1001"; "CB0001" for an unexpected failure (a bug), which has no <see cref="DiagnosticCode"/>.</param>
internal sealed record DiagnosticLine(string Severity, string Code, string Message, string? File = null, int? Line = null, int? Column = null)
{
    public const string Error = "error";
    public const string Warning = "warning";

    public static DiagnosticLine From(CompressBuildException e) =>
        new(e.Code.Category == DiagnosticCategory.Advisory ? Warning : Error, e.Code.Id, e.Message, e.File, e.Line, e.Column);

    /// <summary>Moves the line to <paramref name="origin"/> when it points into <paramref name="configPath"/> (a config the MSBuild task generated).</summary>
    public DiagnosticLine At(SourceOrigin? origin, string configPath)
    {
        if (origin is null || File is null || !string.Equals(Path.GetFullPath(File), Path.GetFullPath(configPath), StringComparison.Ordinal))
        {
            return this;
        }

        return this with { File = origin.File, Line = origin.Line, Column = origin.Line is null ? null : origin.Column };
    }

    public string ToCanonicalString()
    {
        var at = File is null ? "" : Line is null ? $"{File}: " : Column is null ? $"{File}({Line}): " : $"{File}({Line},{Column}): ";
        return $"{at}{Severity} {Code}: {Message}";
    }
}
