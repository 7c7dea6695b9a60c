namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// The spill files one capture stage reads and writes: what the previous stage spilled for the working model and the teacher
/// (null: run from the graph inputs), and where this stage writes its own (null: nothing to spill).
/// </summary>
internal sealed record StageSpills(StageRun Run, string? WorkingStart, string? TeacherStart, string? WorkingSpill, string? TeacherSpill);
