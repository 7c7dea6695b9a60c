namespace CompressBuild.Protocol;

/// <summary>
/// One line of the engine's json-lines output, the message the engine (<c>dotnet compress run --message-format
/// json-lines</c>) sends to the MSBuild task. Compiled into both as source, so both sides share one definition; which
/// fields a kind carries and how they are spelled on the wire is <see cref="EngineMessageFormat"/>.
/// </summary>
internal sealed class EngineMessage
{
    public EngineMessageKind Kind { get; set; }

    /// <summary>The line as read (a <see cref="EngineMessageKind.Text"/> line is shown as is); empty on a message to write.</summary>
    public string RawLine { get; set; } = "";

    /// <summary>Diagnostic: an error; false for a warning.</summary>
    public bool IsError { get; set; }

    /// <summary>Diagnostic: the CB code ("CB1001").</summary>
    public string? Code { get; set; }

    /// <summary>The diagnostic's or progress line's message, or the summary's one-line text.</summary>
    public string Message { get; set; } = "";

    /// <summary>Diagnostic: the file it is about (absolute), or null.</summary>
    public string? File { get; set; }

    /// <summary>Diagnostic: 1-based; 0 when unknown.</summary>
    public int Line { get; set; }

    /// <summary>Diagnostic: 1-based; 0 when unknown.</summary>
    public int Column { get; set; }

    /// <summary>Progress and summary: the model's name in the config.</summary>
    public string? Model { get; set; }

    /// <summary>Summary: the original model file.</summary>
    public string? Source { get; set; }

    /// <summary>Summary: the compressed model file, or null when none was written.</summary>
    public string? Output { get; set; }

    /// <summary>Summary: every budget held.</summary>
    public bool Passed { get; set; }

    /// <summary>Summary: the report files written for the model.</summary>
    public IReadOnlyList<string> Reports { get; set; } = [];

    /// <summary>Result: the engine's exit code.</summary>
    public int ExitCode { get; set; }

    /// <summary>Progress: the trial a line is about, when the engine says.</summary>
    public int? Trial { get; set; }

    /// <summary>Progress: the most trials the search may take, when the engine says (on the "started" line).</summary>
    public int? Trials { get; set; }

    /// <summary>Progress: one of <see cref="EngineProgressStage"/>; null from an engine that does not say.</summary>
    public string? Stage { get; set; }
}
