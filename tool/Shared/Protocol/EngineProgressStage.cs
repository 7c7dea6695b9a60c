namespace CompressBuild.Protocol;

/// <summary>
/// The values of a progress line's "stage" field: the engine's progress event kinds in lower case, which the task
/// reads to say "trial n of m". An engine that does not send a stage is still understood (the field is optional).
/// </summary>
internal static class EngineProgressStage
{
    public const string Started = "started";
    public const string Step = "step";
    public const string Trial = "trial";
    public const string Finished = "finished";
}
