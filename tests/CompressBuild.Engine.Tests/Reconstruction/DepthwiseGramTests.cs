using CompressBuild.Engine.Reconstruction;
using Xunit;

namespace CompressBuild.Engine.Tests.Reconstruction;

/// <summary>
/// A depthwise layer's Gram matrices summed for all its groups at once equal, up to float summation order, the ones its sampled im2col rows give
/// group by group (the rows <see cref="InputRows.Fill"/> writes for the same step and seed, summed by <see cref="GramMatrix.Add"/>), with both
/// kernels (Vector512, emulated where it is not accelerated, and Vector256).
/// </summary>
public class DepthwiseGramTests
{
    /// <summary>Batch, channels, height, width, kernel, strides, dilations, pads (top, left, bottom, right), auto_pad and rows per sample.</summary>
    [Theory]
    [InlineData(1, 480, 6, 80, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, "NOTSET", 160)]
    [InlineData(1, 240, 12, 80, 5, 5, 2, 1, 1, 1, 2, 2, 2, 2, "NOTSET", 200)]
    [InlineData(2, 37, 9, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, "NOTSET", 50)]
    [InlineData(1, 20, 15, 15, 3, 3, 2, 2, 2, 3, 0, 1, 2, 0, "NOTSET", 17)]
    [InlineData(1, 16, 9, 14, 3, 3, 3, 2, 1, 1, 0, 0, 0, 0, "VALID", 9)]
    [InlineData(2, 24, 10, 13, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, "SAME_UPPER", 33)]
    [InlineData(1, 33, 10, 13, 4, 2, 2, 1, 1, 1, 0, 0, 0, 0, "SAME_LOWER", 40)]
    [InlineData(1, 64, 1, 50, 1, 5, 1, 2, 1, 1, 0, 2, 0, 2, "NOTSET", 7)]
    [InlineData(1, 128, 12, 160, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, "NOTSET", 72)]
    [InlineData(1, 17, 2, 3, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, "NOTSET", 2)]
    [InlineData(2, 19, 3, 4, 3, 3, 2, 2, 2, 2, 3, 3, 3, 3, "NOTSET", 4)]
    [InlineData(1, 48, 7, 11, 2, 2, 1, 3, 3, 1, 1, 0, 2, 3, "NOTSET", 12)]
    public void Sums_every_group_as_its_sampled_im2col_rows_do(int batch, int channels, int height, int width, int kernelH, int kernelW,
        int strideH, int strideW, int dilationH, int dilationW, int padTop, int padLeft, int padBottom, int padRight, string autoPad, int quota)
    {
        var window = new ConvWindow(kernelH, kernelW, strideH, strideW, dilationH, dilationW, [padTop, padLeft, padBottom, padRight], autoPad);
        AssertSameAsRows(window, [batch, channels, height, width], quota);
    }

    /// <summary>A 1-D Conv (a rank-3 input, the window one row high): batch, channels, length, kernel, stride, dilation, pads and rows per sample.</summary>
    [Theory]
    [InlineData(1, 64, 50, 5, 1, 1, 2, 2, 7)]
    [InlineData(2, 29, 40, 3, 2, 3, 0, 4, 11)]
    [InlineData(3, 16, 9, 7, 1, 2, 6, 1, 5)]
    public void Sums_a_one_dimensional_convolution_as_its_sampled_im2col_rows_do(int batch, int channels, int length, int kernel, int stride, int dilation,
        int padLeft, int padRight, int quota) => AssertSameAsRows(new ConvWindow(1, kernel, 1, stride, 1, dilation, [0, padLeft, 0, padRight], "NOTSET"), [batch, channels, length], quota);

    /// <summary>
    /// One instance's buffers (pixels, offsets, slots) serve inputs of every shape in turn, larger and smaller, so nothing a previous input left
    /// in them may reach the next one's sums; 20 channels leave part of each kernel's last block of lanes unused.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Inputs_of_changing_shapes_each_sum_as_alone_on_one_instance(bool vector512)
    {
        var window = new ConvWindow(3, 3, 1, 1, 2, 1, [2, 1, 2, 1], "NOTSET");
        var geometry = new LayerGeometry(LayerKind.Conv, 20, 9, 1, false, window);
        var sums = new DepthwiseGram(geometry, withBias: true, vector512);
        long[][] shapes = [[2, 20, 9, 30], [1, 20, 3, 4], [1, 20, 12, 50], [3, 20, 5, 7]];
        int[] quotas = [100, 8, 300, 40];
        for (var n = 0; n < shapes.Length; n++)
        {
            var shape = shapes[n];
            var random = new Random(n);
            var input = Enumerable.Range(0, (int)(shape[0] * 20 * shape[2] * shape[3])).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            var (rows, step) = InputRows.Plan(geometry, shape, input.Length, quotas[n]);
            Assert.True(step > 1, "the input is sampled");
            var gram = Enumerable.Range(0, 20).Select(_ => new GramMatrix(10)).ToList();
            sums.Add(input, shape, rows, step, seed: n);
            sums.Flush(gram);
            AssertSame(Rows(geometry, input, shape, true, rows, step, seed: n), gram, 10, $"input {n} ({string.Join('x', shape)}), Vector512 {vector512}");
        }
    }

    [Fact]
    public void A_flush_without_rows_leaves_the_matrices_as_they_were()
    {
        var geometry = new LayerGeometry(LayerKind.Conv, 16, 9, 1, false, new ConvWindow(3, 3, 1, 1, 1, 1, [1, 1, 1, 1], "NOTSET"));
        var gram = Enumerable.Range(0, 16).Select(_ => new GramMatrix(9)).ToList();
        gram[5].Values[10] = 2.5;
        new DepthwiseGram(geometry, withBias: false).Flush(gram);
        Assert.All(gram, g => Assert.Equal(0, g.Rows));
        Assert.Equal(2.5, gram[5].Values[10]);
        Assert.Equal(2.5, gram.Sum(g => g.Values.Sum()));
    }

    private static void AssertSameAsRows(ConvWindow window, long[] shape, int quota)
    {
        var channels = (int)shape[1];
        var geometry = new LayerGeometry(LayerKind.Conv, channels, window.KernelHeight * window.KernelWidth, 2, false, window);
        var random = new Random((channels * 1000) + (int)(shape[^2] * 10) + (int)shape[^1]);
        var input = Enumerable.Range(0, (int)shape.Aggregate((a, b) => a * b)).Select(_ => (float)(random.NextDouble() - 0.3)).ToArray();
        var (rows, step) = InputRows.Plan(geometry, shape, input.Length, quota);
        Assert.True(step > 1, "the case samples positions");
        Assert.True(DepthwiseGram.Applies(geometry));

        foreach (var withBias in new[] { false, true })
        {
            var size = geometry.Columns + (withBias ? 1 : 0);
            var expected = Rows(geometry, input, shape, withBias, rows, step, seed: 3);
            foreach (var vector512 in new[] { true, false })
            {
                var gram = Enumerable.Range(0, channels).Select(_ => new GramMatrix(size)).ToList();
                var sums = new DepthwiseGram(geometry, withBias, vector512);
                sums.Add(input, shape, rows, step, seed: 3);
                sums.Flush(gram);
                AssertSame(expected, gram, size, $"bias {withBias}, Vector512 {vector512}");
            }
        }
    }

    [Fact]
    public void Inputs_of_different_sizes_add_up_until_a_flush_and_a_second_flush_adds_only_what_came_after_the_first()
    {
        var window = new ConvWindow(5, 5, 1, 1, 1, 1, [2, 2, 2, 2], "NOTSET");
        var geometry = new LayerGeometry(LayerKind.Conv, 40, 25, 1, false, window);
        var random = new Random(11);
        long[] wide = [1, 40, 6, 90], narrow = [2, 40, 6, 30];
        var first = Enumerable.Range(0, 40 * 6 * 90).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var second = Enumerable.Range(0, 2 * 40 * 6 * 30).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var (firstRows, firstStep) = InputRows.Plan(geometry, wide, first.Length, 100);
        var (secondRows, secondStep) = InputRows.Plan(geometry, narrow, second.Length, 70);

        var after = Rows(geometry, second, narrow, true, secondRows, secondStep, seed: 1);
        var expected = new List<GramMatrix>();
        var both = firstRows + secondRows;
        for (var g = 0; g < 40; g++)
        {
            var columns = new float[26 * both];
            InputRows.Fill(geometry, first, wide, g, true, firstStep, 0, firstRows, columns, both, 0, seed: 0);
            InputRows.Fill(geometry, second, narrow, g, true, secondStep, 0, secondRows, columns, both, firstRows, seed: 1);
            expected.Add(new GramMatrix(26));
            expected[g].Add(columns, both, both);
        }

        var gram = Enumerable.Range(0, 40).Select(_ => new GramMatrix(26)).ToList();
        var sums = new DepthwiseGram(geometry, withBias: true);
        sums.Add(first, wide, firstRows, firstStep, seed: 0);
        sums.Add(second, narrow, secondRows, secondStep, seed: 1);
        sums.Flush(gram);
        AssertSame(expected, gram, 26, "both inputs");

        var again = Enumerable.Range(0, 40).Select(_ => new GramMatrix(26)).ToList();
        sums.Add(second, narrow, secondRows, secondStep, seed: 1);
        sums.Flush(again);
        sums.Flush(again);
        AssertSame(after, again, 26, "after the flush");
    }

    [Fact]
    public void Only_depthwise_convolutions_of_enough_groups_take_it()
    {
        var window = new ConvWindow(3, 3, 1, 1, 1, 1, [1, 1, 1, 1], "NOTSET");
        Assert.True(DepthwiseGram.Applies(new LayerGeometry(LayerKind.Conv, 16, 9, 1, false, window)));
        Assert.False(DepthwiseGram.Applies(new LayerGeometry(LayerKind.Conv, 8, 9, 1, false, window)));
        Assert.False(DepthwiseGram.Applies(new LayerGeometry(LayerKind.Conv, 32, 18, 1, false, window)));
        Assert.False(DepthwiseGram.Applies(new LayerGeometry(LayerKind.Dense, 1, 9, 8, true, null)));
    }

    /// <summary>The reference: each group's sampled im2col rows through the chunk path.</summary>
    private static List<GramMatrix> Rows(LayerGeometry geometry, float[] input, long[] shape, bool withBias, int rows, int step, int seed)
    {
        var size = geometry.Columns + (withBias ? 1 : 0);
        var grams = new List<GramMatrix>();
        for (var g = 0; g < geometry.Groups; g++)
        {
            var columns = new float[size * rows];
            InputRows.Fill(geometry, input, shape, g, withBias, step, 0, rows, columns, rows, 0, seed);
            var gram = new GramMatrix(size);
            gram.Add(columns, rows, rows);
            grams.Add(gram);
        }

        return grams;
    }

    private static void AssertSame(List<GramMatrix> expected, List<GramMatrix> actual, int size, string where)
    {
        for (var g = 0; g < expected.Count; g++)
        {
            Assert.Equal(expected[g].Rows, actual[g].Rows);
            for (var i = 0; i < size; i++)
            {
                for (var j = 0; j < size; j++)
                {
                    var (e, a) = (expected[g].Values[(i * size) + j], actual[g].Values[(i * size) + j]);
                    if (j < i)
                    {
                        Assert.True(a == 0, $"{where}: group {g} lower entry [{i}, {j}] is {a}");
                        continue;
                    }

                    Assert.True(Math.Abs(e - a) <= Math.Max(1e-4, Math.Abs(e) * 1e-5), $"{where}: group {g} [{i}, {j}]: expected {e}, got {a}");
                }
            }
        }
    }
}
