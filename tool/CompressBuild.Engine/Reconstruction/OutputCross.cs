using System.Buffers;
using System.Numerics.Tensors;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// X_p^T Y_o for one layer group: the working model's input rows against the original layer's output at the same rows,
/// Y_o = X_o W^T for the weights the solve aims at (<see cref="ReconstructionTarget.TeacherRows"/>). A least-squares or
/// rounding solve reads the cross matrix X_p^T X_o only through its product with those weights, so this holds all it needs in
/// columns x outputs instead of columns^2, and costs rows x columns x outputs twice instead of rows x columns^2: the
/// detector's 864-column consumers (24 outputs) spent two thirds of their channel-pruning capture on the full cross matrix.
/// </summary>
public sealed class OutputCross
{
    private readonly float[] weights;

    /// <param name="rows">Row-major [outputs, size] weights (bias last when the rows carry the ones column).</param>
    public OutputCross(int size, int outputs, ReadOnlySpan<double> rows)
    {
        if (rows.Length != size * outputs)
        {
            throw new ArgumentException($"{rows.Length} weights are not {outputs} rows of {size}.", nameof(rows));
        }

        Size = size;
        Outputs = outputs;
        Values = new double[(long)size * outputs];
        HugePages.Advise(Values);
        weights = new float[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            weights[i] = (float)rows[i];
        }
    }

    public int Size { get; }

    public int Outputs { get; }

    /// <summary>Row-major [Size, Outputs]: entry (a, o) is column a of X_p against output o of the original layer.</summary>
    public double[] Values { get; }

    public long Rows { get; private set; }

    /// <summary>Adds a chunk's rows: <paramref name="left"/> the working model's columns, <paramref name="right"/> the teacher's (column-major, same stride).</summary>
    public void Add(ReadOnlySpan<float> left, ReadOnlySpan<float> right, int rows, int stride)
    {
        // One chunk's teacher outputs (24 x 1,212 floats on the detector) would land on the large-object heap each chunk: pooled.
        var pooled = ArrayPool<float>.Shared.Rent(Outputs * rows);
        var outputs = pooled.AsSpan(0, Outputs * rows);
        outputs.Clear();
        for (var o = 0; o < Outputs; o++)
        {
            var y = outputs.Slice(o * rows, rows);
            for (var c = 0; c < Size; c++)
            {
                var w = weights[(o * Size) + c];
                if (w != 0)
                {
                    TensorPrimitives.MultiplyAdd(right.Slice(c * stride, rows), w, y, y);
                }
            }
        }

        for (var c = 0; c < Size; c++)
        {
            var x = left.Slice(c * stride, rows);
            for (var o = 0; o < Outputs; o++)
            {
                Values[((long)c * Outputs) + o] += TensorPrimitives.Dot(x, outputs.Slice(o * rows, rows));
            }
        }

        ArrayPool<float>.Shared.Return(pooled);
        Rows += rows;
    }

    /// <summary>Divides by the row count, as <see cref="GramMatrix.Normalize"/> does for the cross matrix.</summary>
    public void Normalize()
    {
        var scale = Rows > 0 ? 1.0 / Rows : 1.0;
        TensorPrimitives.Multiply(Values, scale, Values);
    }
}
