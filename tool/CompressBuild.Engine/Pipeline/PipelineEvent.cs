namespace CompressBuild.Engine.Pipeline;

/// <summary>A progress step: which model, what happened, and the trial number when it is about a trial.</summary>
public sealed record PipelineEvent(string Model, string Message, int? Trial = null);
