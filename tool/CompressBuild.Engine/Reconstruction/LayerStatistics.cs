namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// One layer's calibration statistics, per group: <see cref="Gram"/> = X_p^T X_p of the input the compressed-so-far
/// model gives it and, when a teacher was given, <see cref="Cross"/> = X_p^T X_o against the original model's input
/// at the same rows; or, when the target gave the weights the solve aims at (<see cref="ReconstructionTarget.TeacherRows"/>),
/// <see cref="TeacherOutput"/> = X_p^T X_o W^T in its place. All are averaged over the rows.
/// </summary>
public sealed record LayerStatistics(IReadOnlyList<GramMatrix> Gram, IReadOnlyList<GramMatrix>? Cross, IReadOnlyList<OutputCross>? TeacherOutput = null);
