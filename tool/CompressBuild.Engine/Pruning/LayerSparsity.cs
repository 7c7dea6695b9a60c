namespace CompressBuild.Engine.Pruning;

/// <summary>One pruned weight tensor before and after: its shape, parameter count and exact zeros.</summary>
public sealed record LayerSparsity(
    string Node,
    string OpType,
    string Weight,
    IReadOnlyList<long> ShapeBefore,
    IReadOnlyList<long> ShapeAfter,
    long ParametersBefore,
    long ParametersAfter,
    long ZerosBefore,
    long ZerosAfter)
{
    /// <summary>Zeros after pruning over the original parameter count: removed channels count as pruned weights.</summary>
    public double Sparsity => ParametersBefore == 0 ? 0 : 1.0 - ((double)(ParametersAfter - ZerosAfter) / ParametersBefore);
}
