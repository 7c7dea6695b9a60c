namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// The Gram (and cross) matrices of a Conv over every output position, with im2col built from shifted views instead of one
/// row at a time. Patch column (c, i, j) over the output positions is a shifted (and strided) view of channel c's zero-padded
/// image: output row oy reads image row oy * strideH + i * dilationH - padTop from column j * dilationW - padLeft with the
/// horizontal stride, so a chunk of output rows is written column-major with one span copy per (column, output row) and
/// zeros where the window reads padding, then summed by <see cref="GramMatrix"/>'s blocked update. <see cref="InputRows.Fill"/>
/// computes every element's position and bounds instead; the recognizer's depthwise layers (3,000-odd groups of 9 or 25
/// columns over up to 3,840 positions) made that the bulk of SparseGPT's capture. Dot products of the views pair by pair
/// (k^2 (k^2 + 1) / 2 per channel) measured 1.2-3x slower than this blocked update of the same views (its 2x4 block loads
/// each value once per 4 products, a dot product twice per product).
/// </summary>
public static class ShiftedViewGram
{
    /// <summary>Floats per chunk buffer (as <see cref="RowChunk"/>'s), so memory stays that of one chunk whatever the feature map.</summary>
    private const int MaxFloats = 1 << 20;

    /// <summary>Up to this many input channels per group (depthwise and small groups), where filling the rows costs as much as summing them;
    /// wider groups' cost is the update itself (columns^2 per row), and their chunks keep piling rows of several samples.</summary>
    public const int MaxChannelsPerGroup = 8;

    /// <summary>Whether this path serves the layer: a Conv (1-D or 2-D) whose groups hold at most <see cref="MaxChannelsPerGroup"/> input channels.</summary>
    public static bool Applies(LayerGeometry geometry) =>
        geometry is { Kind: LayerKind.Conv, Window: { } window } && geometry.Columns / (window.KernelHeight * window.KernelWidth) <= MaxChannelsPerGroup;

    /// <summary>
    /// Adds every output position of one input (all batch items) to each group's <paramref name="gram"/> and, with the teacher's input (same
    /// shape), to its <paramref name="cross"/>: the rows <see cref="InputRows.Fill"/> writes with a step of 1, in the same order.
    /// </summary>
    public static void Add(LayerGeometry geometry, ReadOnlySpan<float> input, IReadOnlyList<long> shape, bool withBias, IReadOnlyList<GramMatrix> gram,
        ReadOnlySpan<float> teacher = default, IReadOnlyList<GramMatrix>? cross = null) => Add(geometry, input, shape, withBias, gram, teacher, cross, MaxFloats);

    /// <param name="maxFloats">Chunk size in floats (tests make it small to cut a map into several chunks).</param>
    internal static void Add(LayerGeometry geometry, ReadOnlySpan<float> input, IReadOnlyList<long> shape, bool withBias, IReadOnlyList<GramMatrix> gram,
        ReadOnlySpan<float> teacher, IReadOnlyList<GramMatrix>? cross, int maxFloats)
    {
        var window = geometry.Window!;
        int channels = (int)shape[1], height = shape.Count == 3 ? 1 : (int)shape[2], width = (int)shape[^1];
        var (outH, padTop) = window.Axis(height, window.KernelHeight, window.StrideH, window.DilationH, window.Pads[0], window.Pads[2]);
        var (outW, padLeft) = window.Axis(width, window.KernelWidth, window.StrideW, window.DilationW, window.Pads[1], window.Pads[3]);
        if (outH <= 0 || outW <= 0)
        {
            return;
        }

        var size = geometry.Columns + (withBias ? 1 : 0);
        var rowsPerChunk = Math.Clamp(maxFloats / Math.Max(1, size * outW), 1, outH);
        var stride = rowsPerChunk * outW;
        var left = new float[size * stride];
        var right = cross is null ? null : new float[size * stride];
        if (withBias)
        {
            left.AsSpan(geometry.Columns * stride).Fill(1f);
            right?.AsSpan(geometry.Columns * stride).Fill(1f);
        }

        var perGroup = channels / geometry.Groups;
        for (var g = 0; g < geometry.Groups; g++)
        {
            for (var n = 0; n < (int)shape[0]; n++)
            {
                for (var first = 0; first < outH; first += rowsPerChunk)
                {
                    var rows = Math.Min(rowsPerChunk, outH - first);
                    for (var c = 0; c < perGroup; c++)
                    {
                        var image = ((n * channels) + (g * perGroup) + c) * height * width;
                        Columns(window, input.Slice(image, height * width), height, width, c, first, rows, outW, padTop, padLeft, left, stride);
                        if (right is not null)
                        {
                            Columns(window, teacher.Slice(image, height * width), height, width, c, first, rows, outW, padTop, padLeft, right, stride);
                        }
                    }

                    gram[g].Add(left, rows * outW, stride);
                    cross?[g].AddCross(left, right!, rows * outW, stride);
                }
            }
        }
    }

    /// <summary>Writes channel <paramref name="c"/>'s k x k columns for output rows [first, first + rows) into the column-major chunk.</summary>
    private static void Columns(ConvWindow window, ReadOnlySpan<float> image, int height, int width, int c, int first, int rows, int outW, int padTop, int padLeft,
        float[] chunk, int stride)
    {
        var kernel = window.KernelHeight * window.KernelWidth;
        for (var i = 0; i < window.KernelHeight; i++)
        {
            for (var j = 0; j < window.KernelWidth; j++)
            {
                var column = chunk.AsSpan(((c * kernel) + (i * window.KernelWidth) + j) * stride, rows * outW);
                var x0 = (j * window.DilationW) - padLeft;
                for (var r = 0; r < rows; r++)
                {
                    var target = column.Slice(r * outW, outW);
                    var y = ((first + r) * window.StrideH) + (i * window.DilationH) - padTop;
                    if (y < 0 || y >= height)
                    {
                        target.Clear();
                    }
                    else
                    {
                        InputRows.CopyRow(image.Slice(y * width, width), x0, window.StrideW, target);
                    }
                }
            }
        }
    }
}
