using CompressBuild.Engine.Reconstruction;
using Xunit;

namespace CompressBuild.Engine.Tests.Reconstruction;

public class DotTilesTests
{
    /// <summary>Edges of 1 to 3 rows, a tail of k not a multiple of 4 and an offset into k: every entry is the plain sum.</summary>
    [Theory]
    [InlineData(5, 7, 0, 13)]
    [InlineData(4, 4, 3, 8)]
    [InlineData(9, 2, 1, 40)]
    [InlineData(3, 11, 0, 0)]
    public void Every_entry_is_the_dot_product_of_its_rows(int rows, int columns, int k0, int k1)
    {
        const int Stride = 43;
        var random = new Random(rows * 100 + columns);
        var a = Enumerable.Range(0, (rows + 2) * Stride).Select(_ => random.NextDouble() - 0.5).ToArray();
        var b = Enumerable.Range(0, (columns + 1) * Stride).Select(_ => random.NextDouble() - 0.5).ToArray();
        var result = new double[rows * (columns + 1)];
        DotTiles.Dots(a, Stride, 2, rows + 2, b, Stride, 1, columns + 1, k0, k1, result, columns + 1);
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                double expected = 0;
                for (var k = k0; k < k1; k++)
                {
                    expected += a[((i + 2) * Stride) + k] * b[((j + 1) * Stride) + k];
                }

                Assert.Equal(expected, result[(i * (columns + 1)) + j], 1e-12);
            }
        }
    }

    /// <summary>Whatever tile an entry falls in (here shifted by one row and one column), it is summed in one order: the same bits as a lone dot product.</summary>
    [Fact]
    public void An_entry_has_the_same_bits_in_any_tile()
    {
        const int Rows = 203, Columns = 37, Length = 301;
        var random = new Random(5);
        var a = Enumerable.Range(0, Rows * Length).Select(_ => random.NextDouble() - 0.5).ToArray();
        var b = Enumerable.Range(0, Columns * Length).Select(_ => random.NextDouble() - 0.5).ToArray();
        var whole = new double[Rows * Columns];
        var shifted = new double[(Rows - 1) * (Columns - 1)];
        DotTiles.Dots(a, Length, 0, Rows, b, Length, 0, Columns, 0, Length, whole, Columns);
        DotTiles.Dots(a, Length, 1, Rows, b, Length, 1, Columns, 0, Length, shifted, Columns - 1);
        for (var i = 1; i < Rows; i++)
        {
            for (var j = 1; j < Columns; j++)
            {
                Assert.Equal(whole[(i * Columns) + j], shifted[((i - 1) * (Columns - 1)) + j - 1]);
            }
        }

        for (var i = 0; i < Rows; i += 17)
        {
            for (var j = 0; j < Columns; j += 5)
            {
                Assert.Equal(DotTiles.Dot(a.AsSpan(i * Length, Length), b.AsSpan(j * Length, Length)), whole[(i * Columns) + j]);
            }
        }
    }
}
