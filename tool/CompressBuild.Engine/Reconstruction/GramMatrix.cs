using System.Numerics.Tensors;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// The running Gram matrix H = X^T X of a layer's input rows (one per group), accumulated chunk by chunk so no
/// activation outlives its sample. Chunks arrive column-major (each input column's values contiguous), which turns
/// every entry into one vectorized dot product.
/// </summary>
public sealed class GramMatrix
{
    public GramMatrix(int size)
    {
        Size = size;
        Values = new double[(long)size * size];
    }

    public int Size { get; }

    /// <summary>Row-major [Size, Size]; only the upper triangle is kept up to date until <see cref="Symmetrize"/>.</summary>
    public double[] Values { get; }

    /// <summary>How many rows of X have been added.</summary>
    public long Rows { get; private set; }

    /// <param name="columns">Column-major chunk: column j is <c>columns[j * stride .. j * stride + rows)</c>.</param>
    public void Add(ReadOnlySpan<float> columns, int rows, int stride)
    {
        var n = Size;
        for (var i = 0; i < n; i++)
        {
            var left = columns.Slice(i * stride, rows);
            var row = Values.AsSpan(i * n, n);
            for (var j = i; j < n; j++)
            {
                row[j] += TensorPrimitives.Dot(left, columns.Slice(j * stride, rows));
            }
        }

        Rows += rows;
    }

    /// <summary>
    /// Adds the cross products of two row sets with the same rows: <c>H[i, j] += left_i . right_j</c> for every i, j
    /// (not symmetric). With the working model's input on the left and the original model's on the right, this is
    /// X_p^T X_o, the right-hand side that makes a layer match the original model's output.
    /// </summary>
    public void AddCross(ReadOnlySpan<float> left, ReadOnlySpan<float> right, int rows, int stride)
    {
        var n = Size;
        for (var i = 0; i < n; i++)
        {
            var l = left.Slice(i * stride, rows);
            var row = Values.AsSpan(i * n, n);
            for (var j = 0; j < n; j++)
            {
                row[j] += TensorPrimitives.Dot(l, right.Slice(j * stride, rows));
            }
        }

        Rows += rows;
    }

    /// <summary>Divides by the row count, for a cross matrix (no symmetry to restore).</summary>
    public void Normalize()
    {
        var scale = Rows > 0 ? 1.0 / Rows : 1.0;
        System.Numerics.Tensors.TensorPrimitives.Multiply(Values, scale, Values);
    }

    /// <summary>Copies the upper triangle to the lower one and divides by the row count (the scale does not change any solve).</summary>
    public void Symmetrize()
    {
        var n = Size;
        var scale = Rows > 0 ? 1.0 / Rows : 1.0;
        for (var i = 0; i < n; i++)
        {
            for (var j = i; j < n; j++)
            {
                var v = Values[(i * n) + j] * scale;
                Values[(i * n) + j] = v;
                Values[(j * n) + i] = v;
            }
        }
    }

    /// <summary>Mean of the diagonal: the scale damping is relative to (GPTQ's percdamp).</summary>
    public double MeanDiagonal()
    {
        double sum = 0;
        for (var i = 0; i < Size; i++)
        {
            sum += Values[(i * Size) + i];
        }

        return Size == 0 ? 0 : sum / Size;
    }
}
