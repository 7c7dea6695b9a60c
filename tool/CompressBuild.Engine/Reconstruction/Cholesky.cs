using System.Numerics.Tensors;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// Damped Cholesky factor A + damp I = L L^T of a symmetric positive semi-definite matrix, in doubles, with the
/// inner products vectorized (rows of L are contiguous, so every entry is one dot product). A Gram matrix of
/// dead inputs (a ReLU channel that never fires) is singular; the damping keeps the solve defined, and when it is
/// not enough the damping grows tenfold until the factor exists.
/// </summary>
public sealed class Cholesky
{
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
        double mean = 0;
        for (var i = 0; i < size; i++)
        {
            mean += matrix[(i * size) + i];
        }

        mean = size == 0 ? 0 : mean / size;
        var damping = relativeDamping * (mean > 0 ? mean : 1);
        var lower = new double[(long)size * size];
        for (var attempt = 0; ; attempt++)
        {
            if (TryFactor(matrix, size, damping, lower))
            {
                break;
            }

            if (attempt == 12)
            {
                throw new InvalidOperationException("the Gram matrix is not positive definite even with heavy damping (NaN or infinite activations?).");
            }

            damping = Math.Max(damping * 10, 1e-12);
        }

        var upper = new double[lower.Length];
        for (var i = 0; i < size; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                upper[(j * size) + i] = lower[(i * size) + j];
            }
        }

        return new Cholesky(lower, upper, size, damping);
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
        ReversedInverse(Factor(Reversed(matrix, size), size, relativeDamping).Lower, size);

    private static double[] Reversed(ReadOnlySpan<double> matrix, int n)
    {
        var reversed = new double[(long)n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                reversed[(i * n) + j] = matrix[((n - 1 - i) * n) + (n - 1 - j)];
            }
        }

        return reversed;
    }

    /// <summary>J L^-1 J for a row-major lower-triangular L: row i of X = L^-1 is -(sum over k &lt; i of L[i, k] X[k, :]) / L[i, i], rows added vectorized.</summary>
    private static double[] ReversedInverse(double[] lower, int n)
    {
        var x = new double[(long)n * n];
        for (var i = 0; i < n; i++)
        {
            var row = x.AsSpan(i * n, i + 1);
            for (var k = 0; k < i; k++)
            {
                var factor = lower[(i * n) + k];
                if (factor != 0)
                {
                    TensorPrimitives.MultiplyAdd(x.AsSpan(k * n, k + 1), factor, row[..(k + 1)], row[..(k + 1)]);
                }
            }

            var diagonal = lower[(i * n) + i];
            TensorPrimitives.Multiply(row, -1 / diagonal, row);
            row[i] = 1 / diagonal;
        }

        var upper = new double[(long)n * n];
        for (var a = 0; a < n; a++)
        {
            for (var b = a; b < n; b++)
            {
                upper[(a * n) + b] = x[((n - 1 - a) * n) + (n - 1 - b)];
            }
        }

        return upper;
    }

    private static bool TryFactor(ReadOnlySpan<double> a, int n, double damping, double[] l)
    {
        for (var i = 0; i < n; i++)
        {
            var rowI = l.AsSpan(i * n, n);
            for (var j = 0; j <= i; j++)
            {
                var s = a[(i * n) + j] - TensorPrimitives.Dot(rowI[..j], l.AsSpan(j * n, j));
                if (i == j)
                {
                    s += damping;
                    if (!(s > 0) || double.IsInfinity(s))
                    {
                        return false;
                    }

                    rowI[i] = Math.Sqrt(s);
                }
                else
                {
                    rowI[j] = s / l[(j * n) + j];
                }
            }
        }

        return true;
    }
}
