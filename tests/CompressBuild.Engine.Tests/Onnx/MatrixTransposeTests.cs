using CompressBuild.Engine.Onnx;
using Xunit;

namespace CompressBuild.Engine.Tests.Onnx;

public class MatrixTransposeTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(32, 32)]
    [InlineData(37, 70)]
    [InlineData(100, 33)]
    public void Every_element_lands_at_its_transposed_place_across_tile_edges(int rows, int columns)
    {
        var values = Enumerable.Range(0, rows * columns).Select(i => (float)i).ToArray();

        var transposed = MatrixTranspose.Of(values, rows, columns);

        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                Assert.Equal(values[(r * columns) + c], transposed[(c * rows) + r]);
            }
        }
    }

    [Fact]
    public void Transposing_twice_gives_the_matrix_back()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 65 * 129).Select(_ => random.NextSingle()).ToArray();

        Assert.Equal(values, MatrixTranspose.Of(MatrixTranspose.Of(values, 65, 129), 129, 65));
    }

    [Fact]
    public void A_length_that_is_not_rows_times_columns_is_refused()
    {
        Assert.Throws<ArgumentException>(() => MatrixTranspose.Of(new float[10], 3, 3));
    }
}
