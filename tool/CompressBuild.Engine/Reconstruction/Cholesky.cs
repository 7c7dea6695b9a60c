using System.Numerics.Tensors;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// Damped Cholesky factor A + damp I = L L^T of a symmetric positive semi-definite matrix, in doubles, blocked so the
/// inner products run as <see cref="DotTiles"/> (rows of L are contiguous, so every entry is a dot product of two rows). A Gram matrix of
/// dead inputs (a ReLU channel that never fires) is singular; the damping keeps the solve defined, and when it is
/// not enough the damping grows tenfold until the factor exists.
/// </summary>
public sealed class Cholesky
{
    /// <summary>Rows and columns per block of the blocked factor and inverse (64 x 64 doubles, 32 KiB, stay in cache).</summary>
    private const int Block = 64;

    /// <summary>
    /// Above n^3 of this the triangular inverse's blocks of rows go to the cores (one wait in all: the factor's blocked steps each depend
    /// on the last, and splitting each of them measured twice slower by wall under load).
    /// </summary>
    private const long ParallelWork = 12L << 20;

    private Cholesky(double[] lower, double[] upper, int size, double damping)
    {
        Lower = lower;
        Upper = upper;
        Size = size;
        Damping = damping;
    }

    public int Size { get; }

    /// <summary>Row-major L.</summary>
    public double[] Lower { get; }

    /// <summary>Row-major L^T, kept so back substitution reads rows too.</summary>
    public double[] Upper { get; }

    /// <summary>The damping added to the diagonal in the end.</summary>
    public double Damping { get; }

    /// <param name="matrix">Row-major symmetric [size, size].</param>
    /// <param name="relativeDamping">Damping as a fraction of the mean diagonal (GPTQ uses 0.01).</param>
    public static Cholesky Factor(ReadOnlySpan<double> matrix, int size, double relativeDamping)
    {
        var (lower, damping) = FactorLower(matrix, size, relativeDamping, reversed: false);
        var upper = new double[lower.Length];
        HugePages.Advise(upper);
        for (var i = 0; i < size; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                upper[(j * size) + i] = lower[(i * size) + j];
            }
        }

        return new Cholesky(lower, upper, size, damping);
    }

    /// <summary>L of A, or of J A J (rows and columns reversed) when <paramref name="reversed"/>, and the damping it took.</summary>
    private static (double[] Lower, double Damping) FactorLower(ReadOnlySpan<double> matrix, int size, double relativeDamping, bool reversed)
    {
        double mean = 0;
        for (var i = 0; i < size; i++)
        {
            mean += matrix[(i * size) + i];
        }

        mean = size == 0 ? 0 : mean / size;
        var damping = relativeDamping * (mean > 0 ? mean : 1);
        var lower = new double[(long)size * size];
        HugePages.Advise(lower);
        for (var attempt = 0; ; attempt++)
        {
            if (TryFactor(matrix, size, damping, lower, reversed))
            {
                return (lower, damping);
            }

            if (attempt == 12)
            {
                throw new InvalidOperationException("the Gram matrix is not positive definite even with heavy damping (NaN or infinite activations?).");
            }

            damping = Math.Max(damping * 10, 1e-12);
        }
    }

    /// <summary>Solves (A + damp I) x = b in place.</summary>
    public void Solve(Span<double> b)
    {
        var n = Size;
        for (var i = 0; i < n; i++)
        {
            b[i] = (b[i] - TensorPrimitives.Dot(Lower.AsSpan(i * n, i), b[..i])) / Lower[(i * n) + i];
        }

        for (var i = n - 1; i >= 0; i--)
        {
            var tail = n - i - 1;
            b[i] = (b[i] - TensorPrimitives.Dot(Upper.AsSpan((i * n) + i + 1, tail), b.Slice(i + 1, tail))) / Upper[(i * n) + i];
        }
    }

    /// <summary>(A + damp I)^-1, row-major.</summary>
    public double[] Inverse()
    {
        var n = Size;
        var inverse = new double[(long)n * n];
        HugePages.Advise(inverse);
        var column = new double[n];
        for (var j = 0; j < n; j++)
        {
            Array.Clear(column);
            column[j] = 1;
            Solve(column);
            for (var i = 0; i < n; i++)
            {
                inverse[(i * n) + j] = column[i];
            }
        }

        return inverse;
    }

    /// <summary>
    /// The upper factor U of the damped inverse (U^T U = (A + damp I)^-1) that GPTQ and SparseGPT walk row by row:
    /// U[i, i] scales column i's error and U[i, j > i] spreads it to the later columns.
    /// </summary>
    public double[] InverseUpper()
    {
        var inverse = Inverse();
        var lower = Factor(inverse, Size, 0);
        return lower.Upper;
    }

    /// <summary>
    /// <see cref="InverseUpper()"/> of a matrix not yet factored, with <see cref="Factor"/>'s damping, in one factorization and
    /// one triangular inverse (n^3 / 3 each): with J the reversal, J A J = L L^T gives A^-1 = U^T U for U = J L^-1 J, so the
    /// explicit inverse and its second factorization (about 2.3 n^3 more, minutes for the 3,000-column im2col layers of a
    /// real CNN) are not needed.
    /// </summary>
    public static double[] InverseUpper(ReadOnlySpan<double> matrix, int size, double relativeDamping) =>
        ReversedInverse(FactorLower(matrix, size, relativeDamping, reversed: true).Lower, size);

    /// <summary>
    /// J L^-1 J for a row-major lower-triangular L, built as Y = (L^-1)^T: entry Y[c, i > c] is -(sum over k in [c, i) of Y[c, k] L[i, k]) / L[i, i],
    /// a dot product of two rows, so the rows of Y in blocks of <see cref="Block"/> are independent of each other (they split over the
    /// cores) and each block is swept left to right in <see cref="DotTiles"/> tiles plus a short dot product inside the diagonal block.
    /// </summary>
    private static double[] ReversedInverse(double[] lower, int n)
    {
        var y = new double[(long)n * n];
        HugePages.Advise(y);
        var blocks = (n + Block - 1) / Block;
        void Rows(int block)
        {
            var c0 = block * Block;
            var c1 = Math.Min(c0 + Block, n);
            var sums = new double[Block * Block];
            for (var i0 = c0; i0 < n; i0 += Block)
            {
                var i1 = Math.Min(i0 + Block, n);
                DotTiles.Dots(y, n, c0, c1, lower, n, i0, i1, c0, i0, sums, Block);
                for (var i = i0; i < i1; i++)
                {
                    var diagonal = lower[((long)i * n) + i];
                    var row = lower.AsSpan((int)((long)i * n) + i0, i - i0);
                    for (var c = c0; c < c1 && c <= i; c++)
                    {
                        y[((long)c * n) + i] = c == i ? 1 / diagonal
                            : -(sums[((c - c0) * Block) + (i - i0)] + DotTiles.Dot(y.AsSpan((int)((long)c * n) + i0, i - i0), row)) / diagonal;
                    }
                }
            }
        }

        if ((long)n * n * n < ParallelWork)
        {
            for (var block = 0; block < blocks; block++)
            {
                Rows(block);
            }
        }
        else
        {
            Parallel.For(0, blocks, Rows);
        }

        // U[a, b] = X[n - 1 - a, n - 1 - b] = Y[n - 1 - b, n - 1 - a]: Y reflected in place about its anti-diagonal (each pair swapped
        // once, from its lower linear index), in square tiles so both sides of a swap stay in cache.
        for (var a0 = 0; a0 < n; a0 += 32)
        {
            for (var b0 = a0; b0 < n; b0 += 32)
            {
                for (var a = a0; a < Math.Min(a0 + 32, n); a++)
                {
                    for (var b = Math.Max(a, b0); b < Math.Min(b0 + 32, n); b++)
                    {
                        var p = ((long)a * n) + b;
                        var q = ((long)(n - 1 - b) * n) + (n - 1 - a);
                        if (p < q)
                        {
                            (y[p], y[q]) = (y[q], y[p]);
                        }
                    }
                }
            }
        }

        return y;
    }

    /// <summary>
    /// Left-looking blocked factor, in place over A's lower triangle: for each block of <see cref="Block"/> rows, the part of every entry
    /// over the finished column blocks is one <see cref="DotTiles"/> product (on the calling thread: each step depends on the last, see
    /// <see cref="ParallelWork"/>), the rest a short dot product
    /// inside the column block, in the same order on every run.
    /// </summary>
    private static bool TryFactor(ReadOnlySpan<double> a, int n, double damping, double[] l, bool reversed)
    {
        Array.Clear(l);
        for (var i = 0; i < n; i++)
        {
            if (!reversed)
            {
                a.Slice(i * n, i + 1).CopyTo(l.AsSpan(i * n, i + 1));
                continue;
            }

            var source = (n - 1 - i) * n;
            for (var j = 0; j <= i; j++)
            {
                l[(i * n) + j] = a[source + (n - 1 - j)];
            }
        }

        var sums = new double[Block * Block];
        for (var i0 = 0; i0 < n; i0 += Block)
        {
            var i1 = Math.Min(i0 + Block, n);
            for (var j0 = 0; j0 <= i0; j0 += Block)
            {
                var j1 = Math.Min(j0 + Block, i1);
                DotTiles.Dots(l, n, i0, i1, l, n, j0, j1, 0, j0, sums, Block);
                for (var j = j0; j < j1; j++)
                {
                    var rowJ = l.AsSpan((j * n) + j0, j - j0);
                    for (var i = Math.Max(i0, j); i < i1; i++)
                    {
                        var s = l[(i * n) + j] - sums[((i - i0) * Block) + (j - j0)] - DotTiles.Dot(l.AsSpan((i * n) + j0, j - j0), rowJ);
                        if (i == j)
                        {
                            s += damping;
                            if (!(s > 0) || double.IsInfinity(s))
                            {
                                return false;
                            }

                            l[(i * n) + i] = Math.Sqrt(s);
                        }
                        else
                        {
                            l[(i * n) + j] = s / l[(j * n) + j];
                        }
                    }
                }
            }
        }

        return true;
    }
}
