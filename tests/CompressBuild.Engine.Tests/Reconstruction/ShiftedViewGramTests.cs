using CompressBuild.Engine.Reconstruction;
using Xunit;

namespace CompressBuild.Engine.Tests.Reconstruction;

/// <summary>
/// The Gram and cross matrices of few-channel Conv groups from shifted-view columns equal the im2col rows' (every position's row written
/// by <see cref="InputRows.Fill"/>, summed by <see cref="GramMatrix.Add"/> / <see cref="GramMatrix.AddCross"/>) up to float summation order.
/// </summary>
public class ShiftedViewGramTests
{
    /// <summary>Batch, channels, height, width, groups, kernel, strides, dilations, pads (top, left, bottom, right) and auto_pad.</summary>
    [Theory]
    [InlineData(1, 4, 12, 20, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, "NOTSET")]
    [InlineData(2, 4, 13, 17, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, "NOTSET")]
    [InlineData(1, 6, 11, 23, 6, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, "NOTSET")]
    [InlineData(1, 6, 11, 23, 6, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1, "NOTSET")]
    [InlineData(1, 5, 14, 19, 5, 5, 5, 1, 1, 2, 2, 2, 2, 2, 2, "NOTSET")]
    [InlineData(1, 3, 15, 15, 3, 3, 3, 2, 2, 2, 3, 0, 1, 2, 0, "NOTSET")]
    [InlineData(1, 3, 9, 14, 3, 3, 3, 3, 2, 1, 1, 0, 0, 0, 0, "VALID")]
    [InlineData(2, 4, 10, 13, 4, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, "SAME_UPPER")]
    [InlineData(1, 4, 10, 13, 4, 4, 2, 2, 1, 1, 1, 0, 0, 0, 0, "SAME_LOWER")]
    [InlineData(1, 16, 9, 11, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, "NOTSET")]
    [InlineData(1, 12, 9, 11, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, "NOTSET")]
    [InlineData(1, 32, 8, 10, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, "NOTSET")]
    [InlineData(1, 6, 1, 50, 3, 1, 5, 1, 2, 1, 1, 0, 2, 0, 2, "NOTSET")]
    [InlineData(1, 480, 6, 80, 480, 5, 5, 2, 1, 1, 1, 2, 2, 2, 2, "NOTSET")]
    [InlineData(1, 64, 12, 80, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, "NOTSET")]
    public void Gram_and_cross_matrices_equal_the_im2col_rows(int batch, int channels, int height, int width, int groups, int kernelH, int kernelW,
        int strideH, int strideW, int dilationH, int dilationW, int padTop, int padLeft, int padBottom, int padRight, string autoPad)
    {
        var window = new ConvWindow(kernelH, kernelW, strideH, strideW, dilationH, dilationW, [padTop, padLeft, padBottom, padRight], autoPad);
        var geometry = new LayerGeometry(LayerKind.Conv, groups, channels / groups * kernelH * kernelW, 2, false, window);
        long[] shape = [batch, channels, height, width];
        var random = new Random((channels * 1000) + (height * 10) + width);
        var input = Enumerable.Range(0, batch * channels * height * width).Select(_ => (float)(random.NextDouble() - 0.3)).ToArray();
        var teacher = input.Select(v => v + (float)((random.NextDouble() - 0.5) * 0.2)).ToArray();

        foreach (var withBias in new[] { false, true })
        {
            var size = geometry.Columns + (withBias ? 1 : 0);
            var (expectedGram, expectedCross) = Im2col(geometry, input, teacher, shape, withBias);
            var gram = Enumerable.Range(0, groups).Select(_ => new GramMatrix(size)).ToList();
            var cross = Enumerable.Range(0, groups).Select(_ => new GramMatrix(size)).ToList();
            Assert.True(ShiftedViewGram.Applies(geometry));
            ShiftedViewGram.Add(geometry, input, shape, withBias, gram, teacher, cross);

            for (var g = 0; g < groups; g++)
            {
                Assert.Equal(expectedGram[g].Rows, gram[g].Rows);
                Assert.Equal(expectedCross[g].Rows, cross[g].Rows);
                for (var i = 0; i < size; i++)
                {
                    for (var j = 0; j < size; j++)
                    {
                        if (j >= i)
                        {
                            AssertClose(expectedGram[g].Values[(i * size) + j], gram[g].Values[(i * size) + j], $"group {g} gram [{i}, {j}], bias {withBias}");
                        }

                        AssertClose(expectedCross[g].Values[(i * size) + j], cross[g].Values[(i * size) + j], $"group {g} cross [{i}, {j}], bias {withBias}");
                    }
                }
            }
        }
    }

    [Fact]
    public void A_map_cut_into_chunks_of_a_few_output_rows_gives_the_same_matrices()
    {
        var window = new ConvWindow(3, 3, 2, 1, 1, 1, [1, 1, 1, 1], "NOTSET");
        var geometry = new LayerGeometry(LayerKind.Conv, 3, 18, 1, false, window);
        long[] shape = [2, 6, 15, 21];
        var random = new Random(5);
        var input = Enumerable.Range(0, 2 * 6 * 15 * 21).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var whole = Enumerable.Range(0, 3).Select(_ => new GramMatrix(19)).ToList();
        var chunked = Enumerable.Range(0, 3).Select(_ => new GramMatrix(19)).ToList();
        ShiftedViewGram.Add(geometry, input, shape, true, whole);
        ShiftedViewGram.Add(geometry, input, shape, true, chunked, default, null, maxFloats: 19 * 21 * 3);

        for (var g = 0; g < 3; g++)
        {
            Assert.Equal(whole[g].Rows, chunked[g].Rows);
            for (var i = 0; i < 19 * 19; i++)
            {
                AssertClose(whole[g].Values[i], chunked[g].Values[i], $"group {g} entry {i}");
            }
        }
    }

    [Fact]
    public void A_diagonal_only_matrix_gets_the_diagonal_alone()
    {
        var window = new ConvWindow(3, 3, 1, 1, 1, 1, [1, 1, 1, 1], "NOTSET");
        var geometry = new LayerGeometry(LayerKind.Conv, 2, 9, 1, false, window);
        long[] shape = [1, 2, 7, 9];
        var random = new Random(3);
        var input = Enumerable.Range(0, 2 * 7 * 9).Select(_ => (float)random.NextDouble()).ToArray();
        var full = new List<GramMatrix> { new(10), new(10) };
        var diagonal = new List<GramMatrix> { new(10, diagonalOnly: true), new(10, diagonalOnly: true) };
        ShiftedViewGram.Add(geometry, input, shape, true, full);
        ShiftedViewGram.Add(geometry, input, shape, true, diagonal);

        for (var i = 0; i < 10; i++)
        {
            for (var j = 0; j < 10; j++)
            {
                if (i == j)
                {
                    AssertClose(full[1].Values[(i * 10) + i], diagonal[1].Values[(i * 10) + i], $"diagonal [{i}]");
                }
                else
                {
                    Assert.Equal(0, diagonal[1].Values[(i * 10) + j]);
                }
            }
        }
    }

    [Fact]
    public void Groups_of_more_than_eight_channels_stay_with_the_im2col_rows()
    {
        var window = new ConvWindow(3, 3, 1, 1, 1, 1, [1, 1, 1, 1], "NOTSET");
        Assert.True(ShiftedViewGram.Applies(new LayerGeometry(LayerKind.Conv, 4, 8 * 9, 8, false, window)));
        Assert.False(ShiftedViewGram.Applies(new LayerGeometry(LayerKind.Conv, 2, 9 * 9, 8, false, window)));
        Assert.False(ShiftedViewGram.Applies(new LayerGeometry(LayerKind.Dense, 1, 4, 8, true, null)));
    }

    /// <summary>The reference: every position's im2col row (step 1) through the chunk path.</summary>
    private static (List<GramMatrix> Gram, List<GramMatrix> Cross) Im2col(LayerGeometry geometry, float[] input, float[] teacher, long[] shape, bool withBias)
    {
        var size = geometry.Columns + (withBias ? 1 : 0);
        var (rows, step) = InputRows.Plan(geometry, shape, input.Length, int.MaxValue);
        Assert.Equal(1, step);
        var grams = new List<GramMatrix>();
        var crosses = new List<GramMatrix>();
        for (var g = 0; g < geometry.Groups; g++)
        {
            var left = new float[size * rows];
            var right = new float[size * rows];
            InputRows.Fill(geometry, input, shape, g, withBias, step, 0, rows, left, rows, 0);
            InputRows.Fill(geometry, teacher, shape, g, withBias, step, 0, rows, right, rows, 0);
            var gram = new GramMatrix(size);
            var cross = new GramMatrix(size);
            gram.Add(left, rows, rows);
            cross.AddCross(left, right, rows, rows);
            grams.Add(gram);
            crosses.Add(cross);
        }

        return (grams, crosses);
    }

    private static void AssertClose(double expected, double actual, string where) =>
        Assert.True(Math.Abs(expected - actual) <= Math.Max(1e-4, Math.Abs(expected) * 1e-5), $"{where}: expected {expected}, got {actual}");
}

