using CompressBuild.Engine.Reconstruction;
using Xunit;

namespace CompressBuild.Engine.Tests.Reconstruction;

/// <summary>
/// A Conv's im2col rows as <see cref="InputRows.Fill"/> writes them, every position (a step of 1, the span-copy runs) and sampled ones (a step
/// above 1, element by element), equal the Conv's definition: row p, column (c, i, j) reads the input at
/// (p_y * stride_h + i * dilation_h - pad_top, p_x * stride_w + j * dilation_w - pad_left), 0 outside the image.
/// </summary>
public class InputRowsTests
{
    /// <summary>Gram width, samples, rows per column, cap over the set, rows per sample expected.</summary>
    [Theory]
    [InlineData(865, 32, 64, 0, 1730)] // the detector's wide consumer, no cap: 64 x 865 rows over 32 pages
    [InlineData(865, 32, 64, 16_384, 512)] // capped: 16,384 rows over the set
    [InlineData(145, 32, 64, 16_384, 290)] // a narrow layer under the cap keeps 64 per column
    [InlineData(865, 32, 64, 100, 32)] // a cap below MinRows still takes MinRows
    [InlineData(865, 32, 0, 16_384, InputRows.MaxRowsPerSample)] // every row: the cap does not apply
    public void The_row_cap_limits_only_layers_whose_rows_per_column_exceed_it(int width, int samples, int rowsPerColumn, long maxRows, int expected) =>
        Assert.Equal(expected, InputRows.Quota(width, samples, rowsPerColumn, maxRows));

    /// <summary>Batch, channels, height, width, groups, kernel, strides, dilations, pads (top, left, bottom, right), auto_pad.</summary>
    [Theory]
    [InlineData(1, 4, 12, 20, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, "NOTSET")]
    [InlineData(2, 6, 13, 17, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, "NOTSET")]
    [InlineData(1, 6, 11, 23, 2, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, "NOTSET")]
    [InlineData(1, 5, 14, 19, 1, 5, 5, 1, 1, 2, 2, 2, 2, 2, 2, "NOTSET")]
    [InlineData(1, 3, 15, 15, 1, 3, 3, 2, 3, 2, 3, 0, 1, 2, 0, "NOTSET")]
    [InlineData(1, 3, 9, 14, 1, 3, 3, 3, 2, 1, 1, 0, 0, 0, 0, "VALID")]
    [InlineData(2, 4, 10, 13, 2, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, "SAME_UPPER")]
    [InlineData(1, 4, 10, 13, 1, 4, 2, 2, 1, 1, 1, 0, 0, 0, 0, "SAME_LOWER")]
    [InlineData(2, 8, 7, 9, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, "NOTSET")]
    [InlineData(1, 6, 1, 50, 3, 1, 5, 1, 2, 1, 1, 0, 2, 0, 2, "NOTSET")]
    public void Rows_equal_the_convolutions_definition_for_every_and_for_sampled_positions(int batch, int channels, int height, int width, int groups, int kernelH,
        int kernelW, int strideH, int strideW, int dilationH, int dilationW, int padTop, int padLeft, int padBottom, int padRight, string autoPad)
    {
        var window = new ConvWindow(kernelH, kernelW, strideH, strideW, dilationH, dilationW, [padTop, padLeft, padBottom, padRight], autoPad);
        var geometry = new LayerGeometry(LayerKind.Conv, groups, channels / groups * kernelH * kernelW, 2, false, window);
        long[] shape = height == 1 && kernelH == 1 ? [batch, channels, width] : [batch, channels, height, width];
        var random = new Random((channels * 1000) + (height * 10) + width);
        var input = Enumerable.Range(0, batch * channels * height * width).Select(_ => (float)(random.NextDouble() + 0.5)).ToArray();
        var (outH, top) = window.Axis(height, kernelH, strideH, dilationH, padTop, padBottom);
        var (outW, left) = window.Axis(width, kernelW, strideW, dilationW, padLeft, padRight);
        var total = batch * outH * outW;

        foreach (var step in new[] { 1, 3 })
        {
            var rows = (total + step - 1) / step;
            for (var g = 0; g < groups; g++)
            {
                // Rows written in uneven pieces at an offset, as a chunk that piles up several samples takes them.
                const int Offset = 5;
                var stride = rows + Offset + 2;
                var buffer = new float[(geometry.Columns + 1) * stride];
                for (var start = 0; start < rows; start += 7)
                {
                    InputRows.Fill(geometry, input, shape, g, true, step, start, Math.Min(7, rows - start), buffer, stride, Offset + start, seed: 3);
                }

                for (var r = 0; r < rows; r++)
                {
                    var position = InputRows.Position(r, step, total, 3);
                    int n = position / (outH * outW), oy = (position % (outH * outW)) / outW, ox = position % outW;
                    for (var column = 0; column < geometry.Columns; column++)
                    {
                        int c = column / (kernelH * kernelW), i = (column % (kernelH * kernelW)) / kernelW, j = column % kernelW;
                        int y = (oy * strideH) + (i * dilationH) - top, x = (ox * strideW) + (j * dilationW) - left;
                        var expected = y >= 0 && y < height && x >= 0 && x < width
                            ? input[(((((n * channels) + (g * (channels / groups)) + c) * height) + y) * width) + x]
                            : 0f;
                        var actual = buffer[(column * stride) + Offset + r];
                        Assert.True(expected == actual, $"step {step} group {g} row {r} column {column}: {actual}, expected {expected}");
                    }

                    Assert.Equal(1f, buffer[(geometry.Columns * stride) + Offset + r]);
                }
            }
        }
    }

    /// <summary>
    /// The capture computes a sampled Conv's window offsets (<see cref="InputRows.Taps"/>) once per slice of rows and hands them to every group
    /// and to the teacher's input: grouped, strided, dilated, padded and 1-D windows give each group exactly the rows it computes on its own.
    /// </summary>
    [Theory]
    [InlineData(2, 6, 13, 17, 3, 3, 3, 2, 1, 2, 2, 2, 0, 1, 3)]
    [InlineData(1, 8, 1, 41, 4, 1, 5, 1, 3, 1, 2, 0, 4, 0, 1)]
    [InlineData(1, 12, 9, 9, 12, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2)]
    public void One_set_of_taps_serves_every_group_and_the_teachers_input(int batch, int channels, int height, int width, int groups, int kernelH, int kernelW,
        int strideH, int strideW, int dilationH, int dilationW, int padTop, int padLeft, int padBottom, int padRight)
    {
        var window = new ConvWindow(kernelH, kernelW, strideH, strideW, dilationH, dilationW, [padTop, padLeft, padBottom, padRight], "NOTSET");
        var geometry = new LayerGeometry(LayerKind.Conv, groups, channels / groups * kernelH * kernelW, 2, false, window);
        long[] shape = height == 1 ? [batch, channels, width] : [batch, channels, height, width];
        var random = new Random(channels + width);
        var inputs = Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, batch * channels * height * width).Select(_ => (float)random.NextDouble() + 0.5f).ToArray()).ToList();
        var (rows, step) = InputRows.Plan(geometry, shape, inputs[0].Length, quota: 11);
        Assert.True(step > 1);
        const int Piece = 4;
        var stride = rows + 1;
        foreach (var input in inputs)
        {
            for (var g = 0; g < groups; g++)
            {
                var shared = new float[(geometry.Columns + 1) * stride];
                var own = new float[(geometry.Columns + 1) * stride];
                for (var start = 0; start < rows; start += Piece)
                {
                    var count = Math.Min(Piece, rows - start);
                    var taps = InputRows.Taps(geometry, shape, step, start, count, seed: 5);
                    InputRows.Fill(geometry, input, shape, g, true, step, start, count, shared, stride, start, seed: 5, taps);
                    InputRows.Fill(geometry, input, shape, g, true, step, start, count, own, stride, start, seed: 5);
                }

                Assert.Equal(own, shared);
                Assert.Contains(own, v => v > 0.5f);
            }
        }
    }
}
