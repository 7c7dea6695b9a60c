namespace CompressBuild.Engine.Pruning.Structured.Latency;

/// <summary>A channel group's row of the latency table.</summary>
/// <param name="Producers">The layers that make the group's channels, joined by " + " (how prune's channel group table names it).</param>
/// <param name="Channels">The group's width before pruning.</param>
/// <param name="Nodes">Nodes in the group's sub-model (its producers, readers and everything between); 0 when it could not be timed.</param>
/// <param name="Points">Measured widths, by kept channels, descending; empty when the group could not be timed.</param>
public sealed record LatencyTableGroup(string Producers, int Channels, int Nodes, IReadOnlyList<LatencyPoint> Points)
{
    /// <summary>Time saved at <paramref name="kept"/> channels; null when that width was not measured.</summary>
    public double? Saved(int kept) => kept >= Channels ? 0 : Points.FirstOrDefault(p => p.Kept == kept)?.SavedMs;
}
