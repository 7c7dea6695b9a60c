namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// One capture stage's run in a <see cref="StagePlan"/>: the tensors it starts from besides the graph inputs, and the ones it spills for the
/// next stage; the same for the teacher's run, whose values no solve changes, so it starts where the previous run stopped.
/// </summary>
internal sealed record StageRun(IReadOnlyList<string> Start, IReadOnlyList<string> Spill)
{
    /// <summary>The tensors the teacher's run of this stage starts from (the first stage's run is the teacher's own).</summary>
    public IReadOnlyList<string> TeacherStart { get; init; } = [];

    /// <summary>The tensors this stage's teacher run (the working run, in the first stage) spills for the next stage's teacher.</summary>
    public IReadOnlyList<string> TeacherSpill { get; init; } = [];
}
