namespace CompressBuild.Tasks;

/// <summary>The kinds of lines the engine writes with <c>--message-format json-lines</c>.</summary>
internal enum EngineMessageKind
{
    /// <summary>Not a JSON object the task understands; logged as text.</summary>
    Text,
    Diagnostic,
    Progress,
    Summary,
    Result,
}
