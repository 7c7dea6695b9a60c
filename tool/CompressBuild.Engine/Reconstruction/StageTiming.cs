namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// Where one capture stage's time went: ONNX Runtime opening the stage's sessions (graph optimization, weight prepacking) and running
/// them, for the working model and for the teacher (zero without one), reading the spill files (their writes run with the matrix updates,
/// off this thread) and setting up the probes, and the whole stage's capture (runs, spills and matrix updates).
/// </summary>
public sealed record StageTiming(int Layers, TimeSpan WorkingOpen, TimeSpan WorkingRuns, TimeSpan TeacherOpen, TimeSpan TeacherRuns, TimeSpan Spills, TimeSpan Capture)
{
    /// <summary>The process's CPU time (user + sys, every thread) while the sessions opened and ran and the spills were read: it includes
    /// the previous sample's rows and matrix sums, which run alongside; the rest of the stage's CPU is the fold of samples not overlapped.</summary>
    public TimeSpan RunsCpu { get; init; }

    /// <summary>The process's CPU time during the whole stage's capture.</summary>
    public TimeSpan CaptureCpu { get; init; }
}
