namespace CompressBuild.Engine.Diagnostics;

/// <summary>
/// A failure the user can act on: it carries a CB code, the file it is about and, where there is one, the
/// line and column. The CLI prints it as one line and exits with the code's exit code, never a stack trace.
/// </summary>
public sealed class CompressBuildException : Exception
{
    public CompressBuildException(DiagnosticCode code, string message, string? file = null, int? line = null, int? column = null, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        File = file;
        Line = line;
        Column = column;
    }

    public DiagnosticCode Code { get; }

    public string? File { get; }

    public int? Line { get; }

    public int? Column { get; }

    /// <summary>MSBuild's canonical error format, which editors and CI annotate: <c>file(line,col): error CBxxxx: message</c>.</summary>
    public string ToCanonicalString()
    {
        var origin = File is null ? "" : Line is null ? $"{File}: " : Column is null ? $"{File}({Line}): " : $"{File}({Line},{Column}): ";
        var severity = Code.Category == DiagnosticCategory.Advisory ? "warning" : "error";
        return $"{origin}{severity} {Code.Id}: {Message}";
    }
}
