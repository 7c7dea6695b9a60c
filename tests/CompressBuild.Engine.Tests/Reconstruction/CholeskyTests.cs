using CompressBuild.Engine.Reconstruction;
using Xunit;

namespace CompressBuild.Engine.Tests.Reconstruction;

public class CholeskyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(65)]
    [InlineData(130)]
    public void The_one_factorization_inverse_upper_factor_equals_the_factor_of_the_explicit_inverse(int n)
    {
        // A Gram matrix of fewer rows than columns (rank-deficient: the damping must carry it), as a calibration set often gives.
        var h = Gram(n, Math.Max(1, n / 2), seed: 3);
        var expected = Cholesky.Factor(h, n, 0.01).InverseUpper();
        var actual = Cholesky.InverseUpper(h, n, 0.01);

        var scale = expected.Max(Math.Abs);
        for (var i = 0; i < n * n; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-9 * scale, $"entry {i}: {expected[i]} vs {actual[i]}");
        }
    }

    /// <summary>
    /// The blocked factor against the textbook one (one entry at a time, in order) on sizes below, at and across the 64-row blocks,
    /// on a well-conditioned matrix and on an ill-conditioned one (a few rows, strongly correlated columns, condition about 1e8).
    /// </summary>
    [Theory]
    [InlineData(3, false)]
    [InlineData(64, false)]
    [InlineData(67, true)]
    [InlineData(129, false)]
    [InlineData(201, true)]
    public void The_blocked_factor_matches_the_entry_by_entry_one(int n, bool illConditioned)
    {
        var h = illConditioned ? Correlated(n, seed: n) : Gram(n, 2 * n, seed: n);
        var damping = illConditioned ? 1e-6 : 0.01;
        var actual = Cholesky.Factor(h, n, damping);
        var expected = Reference(h, n, actual.Damping);

        var scale = expected.Max(Math.Abs);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var e = j <= i ? expected[(i * n) + j] : 0;
                Assert.True(Math.Abs(e - actual.Lower[(i * n) + j]) <= 1e-9 * scale, $"L[{i}, {j}]: {actual.Lower[(i * n) + j]} vs {e}");
                Assert.Equal(actual.Lower[(i * n) + j], actual.Upper[(j * n) + i]);
            }
        }
    }

    /// <summary>U^T U must be the damped inverse: U^T U (A + damp I) = I, across block edges.</summary>
    [Theory]
    [InlineData(5)]
    [InlineData(63)]
    [InlineData(190)]
    public void The_inverse_upper_factor_times_the_damped_matrix_is_the_identity(int n)
    {
        var h = Gram(n, n + 5, seed: 11);
        var u = Cholesky.InverseUpper(h, n, 0.01);
        var damping = Cholesky.Factor(h, n, 0.01).Damping;
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                Assert.Equal(0, u[(j * n) + i]);
            }
        }

        for (var i = 0; i < n; i += 7)
        {
            for (var j = 0; j < n; j++)
            {
                // (U^T U A_d)[i, j] = sum over k of (U^T U)[i, k] A_d[k, j].
                double sum = 0;
                for (var k = 0; k < n; k++)
                {
                    double inverse = 0;
                    for (var m = 0; m <= Math.Min(i, k); m++)
                    {
                        inverse += u[(m * n) + i] * u[(m * n) + k];
                    }

                    sum += inverse * (h[(k * n) + j] + (k == j ? damping : 0));
                }

                Assert.Equal(i == j ? 1 : 0, sum, 1e-8);
            }
        }
    }

    /// <summary>
    /// Dead inputs (a ReLU channel that never fires: a zero row and column) make the Gram matrix singular; with no relative damping
    /// the factor fails, the damping grows to the floor and on until the factor exists, and the result factors A + damp I.
    /// </summary>
    [Theory]
    [InlineData(10)]
    [InlineData(150)]
    public void A_singular_gram_matrix_of_dead_inputs_factors_after_the_damping_grows(int n)
    {
        var h = Gram(n, n + 3, seed: 2);
        foreach (var dead in new[] { 0, n / 2, n - 1 })
        {
            for (var j = 0; j < n; j++)
            {
                h[(dead * n) + j] = 0;
                h[(j * n) + dead] = 0;
            }
        }

        var factor = Cholesky.Factor(h, n, 0);
        Assert.True(factor.Damping >= 1e-12, $"damping {factor.Damping}");
        var expected = Reference(h, n, factor.Damping);
        var scale = expected.Max(Math.Abs);
        for (var i = 0; i < n * n; i++)
        {
            Assert.True(Math.Abs(expected[i] - factor.Lower[i]) <= 1e-6 * scale, $"entry {i}: {factor.Lower[i]} vs {expected[i]}");
        }

        Assert.Equal(Math.Sqrt(factor.Damping), factor.Lower[0], 1e-9);
    }

    [Fact]
    public void A_matrix_with_nan_fails_with_a_message()
    {
        var h = Gram(70, 80, seed: 4);
        h[(69 * 70) + 69] = double.NaN;
        Assert.Throws<InvalidOperationException>(() => Cholesky.Factor(h, 70, 0.01));
    }

    /// <summary>The textbook Cholesky-Banachiewicz order in doubles, one scalar sum per entry.</summary>
    private static double[] Reference(double[] a, int n, double damping)
    {
        var l = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var s = a[(i * n) + j] + (i == j ? damping : 0);
                for (var k = 0; k < j; k++)
                {
                    s -= l[(i * n) + k] * l[(j * n) + k];
                }

                l[(i * n) + j] = i == j ? Math.Sqrt(s) : s / l[(j * n) + j];
            }
        }

        return l;
    }

    private static double[] Gram(int n, int rows, int seed)
    {
        var random = new Random(seed);
        var x = Enumerable.Range(0, rows * n).Select(_ => random.NextDouble() - 0.5).ToArray();
        return GramOf(x, rows, n);
    }

    /// <summary>Columns that are two shared factors plus a little noise: full rank, nearly singular.</summary>
    private static double[] Correlated(int n, int seed)
    {
        var random = new Random(seed);
        var rows = 2 * n;
        var f = Enumerable.Range(0, 2 * rows).Select(_ => random.NextDouble() - 0.5).ToArray();
        var loadings = Enumerable.Range(0, 2 * n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var x = new double[rows * n];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < n; c++)
            {
                x[(r * n) + c] = (f[2 * r] * loadings[2 * c]) + (f[(2 * r) + 1] * loadings[(2 * c) + 1]) + (1e-4 * (random.NextDouble() - 0.5));
            }
        }

        return GramOf(x, rows, n);
    }

    /// <summary>X^T X of a row-major [rows, n] matrix, summed in doubles entry by entry.</summary>
    private static double[] GramOf(double[] x, int rows, int n)
    {
        var h = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                double s = 0;
                for (var r = 0; r < rows; r++)
                {
                    s += x[(r * n) + i] * x[(r * n) + j];
                }

                h[(i * n) + j] = s;
                h[(j * n) + i] = s;
            }
        }

        return h;
    }
}
