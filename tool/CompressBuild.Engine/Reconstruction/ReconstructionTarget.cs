using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>A layer to reconstruct: its node, its float32 weight, its geometry, and whether its Gram matrix carries the bias column.</summary>
public sealed record ReconstructionTarget(NodeProto Node, TensorProto Weight, LayerGeometry Geometry, bool WithBias)
{
    public string Name => Node.Name.Length > 0 ? Node.Name : Node.Output[0];

    /// <summary>
    /// The weights (per group, row-major [outputs, columns], bias last with <see cref="WithBias"/>) whose output on the teacher's input the solve
    /// aims at; given them and a teacher, the capture sums <see cref="LayerStatistics.TeacherOutput"/> instead of the full cross matrix.
    /// </summary>
    public IReadOnlyList<double[]>? TeacherRows { get; init; }

    /// <summary>
    /// The only Gram columns (ascending, the bias column included) a solve aiming at <see cref="TeacherRows"/> reads: it fits the kept
    /// columns' weights from H_SS and X_S^T Y_o alone, so a wide matrix sums only those entries (<see cref="GramMatrix.Wide"/>). Null for all.
    /// </summary>
    public IReadOnlyList<int>? SolvedColumns { get; init; }
}
