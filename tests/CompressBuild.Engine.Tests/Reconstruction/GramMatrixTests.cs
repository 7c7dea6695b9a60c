using CompressBuild.Engine.Reconstruction;
using Xunit;

namespace CompressBuild.Engine.Tests.Reconstruction;

public class GramMatrixTests
{
    /// <summary>Sizes around the 2x4 register block and row counts around the 8-float vector and the 256-row tile.</summary>
    [Theory]
    [InlineData(1, 3)]
    [InlineData(5, 9)]
    [InlineData(8, 256)]
    [InlineData(13, 517)]
    [InlineData(34, 1000)]
    public void The_blocked_update_equals_the_sums_of_products_in_doubles(int size, int rows)
    {
        var stride = rows + 3;
        var random = new Random(size * 1000 + rows);
        var left = Enumerable.Range(0, size * stride).Select(_ => (float)(random.NextDouble() - 0.3)).ToArray();
        var right = Enumerable.Range(0, size * stride).Select(_ => (float)(random.NextDouble() - 0.6)).ToArray();
        var gram = new GramMatrix(size);
        var cross = new GramMatrix(size);
        gram.Add(left, rows, stride);
        gram.Add(right, rows, stride);
        cross.AddCross(left, right, rows, stride);

        for (var i = 0; i < size; i++)
        {
            for (var j = 0; j < size; j++)
            {
                double expected = 0, expectedCross = 0;
                for (var r = 0; r < rows; r++)
                {
                    expected += ((double)left[(i * stride) + r] * left[(j * stride) + r]) + ((double)right[(i * stride) + r] * right[(j * stride) + r]);
                    expectedCross += (double)left[(i * stride) + r] * right[(j * stride) + r];
                }

                if (j >= i)
                {
                    Assert.Equal(expected, gram.Values[(i * size) + j], Math.Max(1e-4, Math.Abs(expected) * 1e-5));
                }

                Assert.Equal(expectedCross, cross.Values[(i * size) + j], Math.Max(1e-4, Math.Abs(expectedCross) * 1e-5));
            }
        }

        Assert.Equal(2 * rows, gram.Rows);
        Assert.Equal(rows, cross.Rows);
    }

    [Fact]
    public void A_diagonal_only_matrix_has_the_full_ones_diagonal_and_nothing_else()
    {
        int size = 13, rows = 517, stride = rows + 3;
        var random = new Random(7);
        var columns = Enumerable.Range(0, size * stride).Select(_ => (float)(random.NextDouble() - 0.3)).ToArray();
        var full = new GramMatrix(size);
        var diagonal = new GramMatrix(size, diagonalOnly: true);
        full.Add(columns, rows, stride);
        diagonal.Add(columns, rows, stride);

        for (var i = 0; i < size; i++)
        {
            for (var j = 0; j < size; j++)
            {
                var value = diagonal.Values[(i * size) + j];
                if (i == j)
                {
                    Assert.Equal(full.Values[(i * size) + i], value, Math.Abs(value) * 1e-5);
                }
                else
                {
                    Assert.Equal(0, value);
                }
            }
        }

        Assert.Equal(full.MeanDiagonal(), diagonal.MeanDiagonal(), Math.Abs(full.MeanDiagonal()) * 1e-5);
        Assert.Equal(rows, diagonal.Rows);
    }
}
