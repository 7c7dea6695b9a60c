namespace CompressBuild.Tasks;

/// <summary>One line of the engine's json-lines output, parsed.</summary>
internal sealed class EngineMessage
{
    public EngineMessageKind Kind { get; set; }

    /// <summary>The line as the engine wrote it (shown as is when it is not one of the engine's JSON objects).</summary>
    public string RawLine { get; set; } = "";

    public bool IsError { get; set; }

    public string? Code { get; set; }

    /// <summary>The diagnostic's or progress line's message, or the summary's one-line text.</summary>
    public string Message { get; set; } = "";

    public string? File { get; set; }

    /// <summary>1-based; 0 when unknown.</summary>
    public int Line { get; set; }

    /// <summary>1-based; 0 when unknown.</summary>
    public int Column { get; set; }

    public string? Model { get; set; }

    public string? Source { get; set; }

    public string? Output { get; set; }

    public bool Passed { get; set; }

    public IReadOnlyList<string> Reports { get; set; } = [];

    public int ExitCode { get; set; }

    /// <summary>Progress: the trial a line is about, when the engine says.</summary>
    public int? Trial { get; set; }

    /// <summary>Progress: the most trials the search may take, when the engine says (on the "started" line).</summary>
    public int? Trials { get; set; }

    /// <summary>Progress: started, step, trial (one finished) or finished; null from an engine that does not say.</summary>
    public string? Stage { get; set; }
}
