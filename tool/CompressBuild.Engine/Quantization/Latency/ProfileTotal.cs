namespace CompressBuild.Engine.Quantization.Latency;

/// <summary>
/// A model's time from its profile: the sum of its kernels' median times. On a shared machine this is steadier
/// than timing whole runs, where one pre-emption lands on a whole run; it leaves out ORT's small per-node overhead.
/// </summary>
public static class ProfileTotal
{
    public static double Microseconds(IEnumerable<NodeTiming> timings) => timings.Sum(t => t.MedianMicroseconds);
}
