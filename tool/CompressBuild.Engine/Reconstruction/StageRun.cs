namespace CompressBuild.Engine.Reconstruction;

/// <summary>One capture stage's run in a <see cref="StagePlan"/>: the tensors it starts from besides the graph inputs, and the ones it spills for the next stage.</summary>
internal sealed record StageRun(IReadOnlyList<string> Start, IReadOnlyList<string> Spill);
