namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// One kept-channel count a group may round to: the count, the multiple it is of, and its measured times (ms), one per
/// interleaved round, so rounds can be compared pairwise (<see cref="RoundToChoice.Choose"/>).
/// </summary>
internal sealed record RoundToCandidate(int Count, int Multiple, IReadOnlyList<double> Times);
