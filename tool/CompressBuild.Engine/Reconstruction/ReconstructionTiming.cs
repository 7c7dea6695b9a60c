namespace CompressBuild.Engine.Reconstruction;

/// <summary>What a layer-wise reconstruction cost: passes over the calibration data, time spent running and accumulating, time in the solves.</summary>
public sealed record ReconstructionTiming(int Layers, int Passes, int Samples, TimeSpan Capture, TimeSpan Solve, long PeakGramBytes)
{
    /// <summary>The part of <see cref="Capture"/> spent in ONNX Runtime (sessions opened and run); the rest builds rows and accumulates the matrices.</summary>
    public TimeSpan ModelRuns { get; init; }

    /// <summary>Input rows added to the Gram matrices over all layers, groups and passes (after sampling).</summary>
    public long Rows { get; init; }

    public static ReconstructionTiming None { get; } = new(0, 0, 0, TimeSpan.Zero, TimeSpan.Zero, 0);
}
