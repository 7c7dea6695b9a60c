using System.Numerics.Tensors;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// The column sweep GPTQ and SparseGPT share (Frantar and Alistarh, OBC / GPTQ 2022, SparseGPT 2023): with U the
/// upper Cholesky factor of the damped inverse Gram matrix, each column in turn is replaced (quantized, or zeroed
/// where the mask says so) and its error, divided by U[j, j], is spread to the columns not yet fixed through
/// U[j, k > j] — the optimal-brain-surgeon update that keeps the layer's output on the calibration data.
/// Columns of inputs that never fire (H[j, j] = 0) are zeroed first, as GPTQ does.
/// </summary>
public static class ObsSweep
{
    /// <summary>GPTQ's default damping: 1% of the mean diagonal.</summary>
    public const double DefaultDamping = 0.01;

    /// <summary>Columns whose errors reach the later columns together (GPTQ's lazy batch, 128).</summary>
    public const int LazyBatch = 128;

    /// <summary>Decides column <c>j</c> (its original index) given its current values and U[j, j]; writes the replacement into <c>result</c>.</summary>
    public delegate void ColumnRule(int column, ReadOnlySpan<double> values, Span<double> result);

    /// <summary>
    /// Called at the start of each block of columns (in sweep order) with the current columns, U's diagonal and U itself (row-major
    /// [n, n] in sweep order, read-only), e.g. to choose a mask.
    /// </summary>
    public delegate void BlockStart(int first, int count, IReadOnlyList<double[]> columns, IReadOnlyList<int> order, IReadOnlyList<double> inverseDiagonal, ReadOnlyMemory<double> upper);

    /// <param name="gram">Symmetrized H over the layer's columns (no bias column).</param>
    /// <param name="rows">Row-major [outputs, columns]; rewritten in place.</param>
    /// <param name="actOrder">Sweep the columns by descending H[j, j] (GPTQ's act-order) instead of in index order.</param>
    /// <param name="overwriteGram">In index order, factor <paramref name="gram"/>'s own values (dead inputs' diagonal set to 1) instead of a copy, for a
    /// caller that reads the matrix no more: one fresh n x n array fewer (66 MB for the recognizer's 2,881-column layer, whose first writes cost
    /// about 190 ms on the benchmarks' VM). The values factored are those the copy would hold, so the results are the same.</param>
    public static void Run(GramMatrix gram, double[] rows, int outputs, ColumnRule rule, bool actOrder, double damping = DefaultDamping, int blockSize = 128, BlockStart? blockStart = null,
        bool overwriteGram = false)
    {
        var n = gram.Size;
        var h = gram.Values;
        var diagonalOf = new double[n];
        var columns = new double[n][];
        for (var j = 0; j < n; j++)
        {
            columns[j] = new double[outputs];
            for (var o = 0; o < outputs; o++)
            {
                columns[j][o] = rows[(o * n) + j];
            }

            // A dead input's diagonal counts as 1 (its weights are zeroed first), so the matrix stays positive definite.
            diagonalOf[j] = h[(j * n) + j] == 0 ? 1 : h[(j * n) + j];
            if (h[(j * n) + j] == 0)
            {
                Array.Clear(columns[j]);
            }
        }

        var order = Enumerable.Range(0, n).ToArray();
        if (actOrder)
        {
            order = order.OrderByDescending(j => diagonalOf[j]).ThenBy(j => j).ToArray();
        }

        var inPlace = overwriteGram && !actOrder;
        var permuted = inPlace ? h : new double[(long)n * n];
        if (inPlace)
        {
            for (var j = 0; j < n; j++)
            {
                h[(j * n) + j] = diagonalOf[j];
            }
        }
        else
        {
            HugePages.Advise(permuted);
            for (var a = 0; a < n; a++)
            {
                var row = order[a] * n;
                for (var b = 0; b < n; b++)
                {
                    permuted[(a * n) + b] = h[row + order[b]];
                }

                permuted[(a * n) + a] = diagonalOf[order[a]];
            }
        }

        var u = Cholesky.InverseUpper(permuted, n, damping);
        var diagonal = new double[n];
        for (var a = 0; a < n; a++)
        {
            diagonal[a] = u[(a * n) + a];
        }

        var swept = order.Select(j => columns[j]).ToArray();
        var replacement = new double[outputs];
        var error = new double[outputs];

        // Lazy batch (GPTQ's): a column's error reaches the rest of its batch at once and the later columns once per batch, as one
        // DotTiles product of the batch's errors and U's rows, instead of one pass over every later column per column. A batch holds
        // whole mask blocks, so a block's columns are up to date when its mask is chosen.
        var batch = Math.Max(1, LazyBatch / blockSize) * blockSize;
        var errors = new double[(long)outputs * batch];
        var spread = n > batch ? new double[(long)(n - batch) * batch] : [];
        var update = n > batch ? new double[(long)(n - batch) * outputs] : [];
        for (var a0 = 0; a0 < n; a0 += batch)
        {
            var a1 = Math.Min(a0 + batch, n);
            for (var a = a0; a < a1; a++)
            {
                if (blockStart is not null && a % blockSize == 0)
                {
                    blockStart(a, Math.Min(blockSize, n - a), swept, order, diagonal, u);
                }

                var current = swept[a];
                rule(order[a], current, replacement);
                TensorPrimitives.Subtract(current, replacement, error);
                TensorPrimitives.Divide(error, diagonal[a], error);
                replacement.CopyTo(current, 0);
                for (var o = 0; o < outputs; o++)
                {
                    errors[((long)o * batch) + (a - a0)] = error[o];
                }

                for (var b = a + 1; b < a1; b++)
                {
                    var factor = -u[(a * n) + b];
                    if (factor != 0)
                    {
                        TensorPrimitives.MultiplyAdd(error, factor, swept[b], swept[b]);
                    }
                }
            }

            if (a1 < n)
            {
                for (var a = a0; a < a1; a++)
                {
                    for (var b = a1; b < n; b++)
                    {
                        spread[((long)(b - a1) * batch) + (a - a0)] = u[(a * n) + b];
                    }
                }

                DotTiles.Dots(spread, batch, 0, n - a1, errors, batch, 0, outputs, 0, a1 - a0, update, outputs);
                for (var b = a1; b < n; b++)
                {
                    TensorPrimitives.Subtract(swept[b], update.AsSpan((b - a1) * outputs, outputs), swept[b]);
                }
            }
        }

        for (var j = 0; j < n; j++)
        {
            for (var o = 0; o < outputs; o++)
            {
                rows[(o * n) + j] = columns[j][o];
            }
        }
    }
}
