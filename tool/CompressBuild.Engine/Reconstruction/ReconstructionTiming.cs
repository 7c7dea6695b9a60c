namespace CompressBuild.Engine.Reconstruction;

/// <summary>What a layer-wise reconstruction cost: passes over the calibration data, time spent running and accumulating, time in the solves.</summary>
public sealed record ReconstructionTiming(int Layers, int Passes, int Samples, TimeSpan Capture, TimeSpan Solve, long PeakGramBytes)
{
    public static ReconstructionTiming None { get; } = new(0, 0, 0, TimeSpan.Zero, TimeSpan.Zero, 0);
}
