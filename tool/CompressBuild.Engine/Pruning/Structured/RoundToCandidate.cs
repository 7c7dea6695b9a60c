namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>One kept-channel count a group may round to: the count, the multiple it is of, and its measured median time (ms).</summary>
internal sealed record RoundToCandidate(int Count, int Multiple, double Milliseconds);
