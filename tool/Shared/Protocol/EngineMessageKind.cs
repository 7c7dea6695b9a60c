namespace CompressBuild.Protocol;

/// <summary>The kinds of lines the engine writes with <c>--message-format json-lines</c> (the "kind" field).</summary>
internal enum EngineMessageKind
{
    /// <summary>Not a JSON object of a kind the reader knows (the dotnet host's own errors, a newer engine's kind): shown as text.</summary>
    Text,

    /// <summary>An error or warning with its CB code and, when it has one, its file, line and column.</summary>
    Diagnostic,

    /// <summary>What the engine is doing (a step, a search trial) for the build log.</summary>
    Progress,

    /// <summary>One model's outcome: its one-line text, the compressed file and the reports written.</summary>
    Summary,

    /// <summary>The engine's exit code; always the last line.</summary>
    Result,
}
