namespace CompressBuild.Engine.Pipeline;

public enum PipelineEventKind
{
    Started,
    Step,
    Trial,
    Finished,
}
