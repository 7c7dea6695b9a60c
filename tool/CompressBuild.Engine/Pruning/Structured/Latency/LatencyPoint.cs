namespace CompressBuild.Engine.Pruning.Structured.Latency;

/// <summary>One measured width of a channel group.</summary>
/// <param name="Kept">Channels the group keeps.</param>
/// <param name="Ms">Median time (ms, 1 thread) of the group's sub-model at that width.</param>
/// <param name="SavedMs">Median over interleaved rounds of (the full-width time minus this one): what removing the rest saves.</param>
public sealed record LatencyPoint(int Kept, double Ms, double SavedMs);
