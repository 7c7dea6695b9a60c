namespace CompressBuild.Engine.Pipeline;

/// <summary>A progress step: which model, what happened, and the trial number when it is about a trial.</summary>
/// <param name="Kind">Lets a display draw a bar per model: started (with <see cref="TrialLimit"/>), a step, a finished trial, done.</param>
public sealed record PipelineEvent(string Model, string Message, int? Trial = null)
{
    public PipelineEventKind Kind { get; init; } = PipelineEventKind.Step;

    /// <summary>On <see cref="PipelineEventKind.Started"/>: the most trials this model may take (1 when search is off).</summary>
    public int? TrialLimit { get; init; }
}
