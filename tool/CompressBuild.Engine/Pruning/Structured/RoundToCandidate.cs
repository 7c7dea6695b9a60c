namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// One round_to a pruned model may be built with, and that whole model's measured times (ms), one per interleaved round, so
/// rounds can be compared pairwise (<see cref="RoundToChoice.Choose"/>).
/// </summary>
internal sealed record RoundToCandidate(int Multiple, IReadOnlyList<double> Times);
