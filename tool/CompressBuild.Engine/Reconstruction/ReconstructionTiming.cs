namespace CompressBuild.Engine.Reconstruction;

/// <summary>What a layer-wise reconstruction cost: passes over the calibration data, time spent running and accumulating, time in the solves.</summary>
public sealed record ReconstructionTiming(int Layers, int Passes, int Samples, TimeSpan Capture, TimeSpan Solve, long PeakGramBytes)
{
    /// <summary>The part of <see cref="Capture"/> spent in ONNX Runtime (sessions opened and run); the rest builds rows and accumulates the matrices.</summary>
    public TimeSpan ModelRuns { get; init; }

    /// <summary>Input rows added to the Gram matrices over all layers, groups and passes (after sampling).</summary>
    public long Rows { get; init; }

    /// <summary>
    /// Stages after the first whose working model re-ran nothing in front of the previous stage's layers: it started from the
    /// previous stage's spilled boundary, or needed none (everything it runs is downstream of those layers).
    /// </summary>
    public int Restarts { get; init; }

    /// <summary>The process's CPU time (user + sys, every thread) during the stages' captures: steadier than <see cref="Capture"/> on a loaded machine.</summary>
    public TimeSpan CaptureCpu { get; init; }

    /// <summary>The process's minor page faults during the stages' captures (<see cref="Runtime.PageFaults"/>; 0 where the OS does not count them).</summary>
    public long CaptureFaults { get; init; }

    /// <summary>Each stage's share, in order (empty when nothing ran).</summary>
    public IReadOnlyList<StageTiming> Stages { get; init; } = [];

    /// <summary>The part of <see cref="ModelRuns"/> spent opening sessions, working model and teacher.</summary>
    public TimeSpan SessionOpening => Stages.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.WorkingOpen + s.TeacherOpen);

    public static ReconstructionTiming None { get; } = new(0, 0, 0, TimeSpan.Zero, TimeSpan.Zero, 0);
}
