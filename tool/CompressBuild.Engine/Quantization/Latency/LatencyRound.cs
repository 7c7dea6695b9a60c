namespace CompressBuild.Engine.Quantization.Latency;

/// <summary>
/// One round of latency-aware quantization: the nodes its profile found slower quantized (by more than
/// <paramref name="Factor"/> times their float time), and the summed median kernel time of the model before the
/// round and with those nodes float. The round was kept when the second is smaller.
/// </summary>
public sealed record LatencyRound(double Factor, IReadOnlyList<SlowNode> Slow, double BeforeMicroseconds, double AfterMicroseconds)
{
    public bool Kept => AfterMicroseconds < BeforeMicroseconds;
}
