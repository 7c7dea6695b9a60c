using CompressBuild.Engine.Reconstruction;
using Xunit;

namespace CompressBuild.Engine.Tests.Reconstruction;

public class CholeskyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(65)]
    public void The_one_factorization_inverse_upper_factor_equals_the_factor_of_the_explicit_inverse(int n)
    {
        // A Gram matrix of fewer rows than columns (rank-deficient: the damping must carry it), as a calibration set often gives.
        var random = new Random(3);
        var rows = Math.Max(1, n / 2);
        var x = Enumerable.Range(0, rows * n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var h = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                h[(i * n) + j] = Enumerable.Range(0, rows).Sum(r => x[(r * n) + i] * x[(r * n) + j]);
            }
        }

        var expected = Cholesky.Factor(h, n, 0.01).InverseUpper();
        var actual = Cholesky.InverseUpper(h, n, 0.01);

        var scale = expected.Max(Math.Abs);
        for (var i = 0; i < n * n; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-9 * scale, $"entry {i}: {expected[i]} vs {actual[i]}");
        }
    }
}
