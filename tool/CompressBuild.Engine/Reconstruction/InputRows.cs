namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// Turns one sample of a layer's input into rows of X (a MatMul's rows, a Conv's im2col patches of one group, with
/// an optional trailing 1 for the bias), written column-major into a chunk buffer (each input column contiguous, so
/// every Gram entry is one vectorized dot product). A large feature map contributes a stratified sample of its
/// positions (one per stretch of <c>step</c> positions, jittered within it by a fixed hash, so a step that divides the
/// row width does not take one column only), at most the quota given, so every sample counts and the Gram cost
/// (rows x columns^2) stays tied to the matrix's size rather than to the feature maps'.
/// </summary>
public static class InputRows
{
    public const int MaxRowsPerSample = 4096;

    /// <summary>
    /// Rows per Gram column over the whole calibration set that sampling aims at: SparseGPT and GPTQ calibrate 4096-column
    /// layers on 128 x 2048 tokens, i.e. 64 rows per column; with fewer the matrix is estimated from fewer points than
    /// their spread needs. The recognizer's depthwise 5x5 layers had 15,360 rows (480 positions x 32 lines) for 25 columns.
    /// </summary>
    public const int RowsPerColumn = 64;

    /// <summary>Layers with small matrices still take at least this many rows over the calibration set (they cost little).</summary>
    public const int MinRows = 1024;

    /// <summary>
    /// The rows per sample a layer group of <paramref name="width"/> Gram columns takes when <paramref name="samples"/> samples are captured;
    /// <paramref name="maxRows"/> above 0 caps the rows over the whole set (at least <see cref="MinRows"/>), so wide layers take fewer per column.
    /// </summary>
    public static int Quota(int width, int samples, int rowsPerColumn = RowsPerColumn, long maxRows = 0)
    {
        if (rowsPerColumn <= 0)
        {
            return MaxRowsPerSample;
        }

        var rows = Math.Max(MinRows, (long)rowsPerColumn * width);
        if (maxRows > 0)
        {
            rows = Math.Min(rows, Math.Max(MinRows, maxRows));
        }

        return (int)Math.Clamp((rows + samples - 1) / Math.Max(1, samples), 1, MaxRowsPerSample);
    }

    /// <summary>Rows this sample contributes (at most <paramref name="quota"/>) and the stride between the positions taken.</summary>
    public static (int Rows, int Step) Plan(LayerGeometry geometry, IReadOnlyList<long> shape, int length, int quota = MaxRowsPerSample)
    {
        int total;
        if (geometry.Kind == LayerKind.Dense)
        {
            total = length / geometry.Columns;
        }
        else
        {
            var (outH, outW, _, _) = Output(geometry.Window!, shape);
            total = (int)shape[0] * outH * outW;
        }

        if (total <= 0)
        {
            return (0, 1);
        }

        quota = Math.Clamp(quota, 1, MaxRowsPerSample);
        var step = Math.Max(1, (total + quota - 1) / quota);
        var rows = (total + step - 1) / step;
        return (rows, step);
    }

    /// <summary>
    /// The position row <paramref name="row"/> reads: somewhere in [row x step, (row + 1) x step), chosen by a fixed hash of
    /// the row and <paramref name="seed"/> (the sample's index), within the <paramref name="total"/> positions.
    /// </summary>
    public static int Position(int row, int step, int total, int seed)
    {
        if (step == 1)
        {
            return row;
        }

        var hash = (uint)((row * 0x9E3779B1) ^ (seed * 0x85EBCA77));
        hash ^= hash >> 15;
        hash *= 0x2C1B3C6D;
        hash ^= hash >> 12;
        return Math.Min(total - 1, (row * step) + (int)(hash % (uint)step));
    }

    /// <summary>
    /// Writes rows [start, start + count) of group <paramref name="group"/> column-major into <paramref name="buffer"/>:
    /// column j's rows go to <c>buffer[j * stride + offset ..]</c>, so rows of several samples pile up in one chunk.
    /// </summary>
    /// <param name="taps">Sampled Conv positions only: <see cref="Taps"/> of the same rows, computed once for every group of the layer (and the
    /// teacher's input of the same shape); computed here when not given.</param>
    public static void Fill(LayerGeometry geometry, ReadOnlySpan<float> input, IReadOnlyList<long> shape, int group, bool withBias, int step, int start, int count,
        Span<float> buffer, int stride, int offset, int seed = 0, int[]? taps = null)
    {
        if (geometry.Kind == LayerKind.Dense)
        {
            var k = geometry.Columns;
            var total = input.Length / k;
            for (var r = 0; r < count; r++)
            {
                var source = input.Slice(Position(start + r, step, total, seed) * k, k);
                for (var c = 0; c < k; c++)
                {
                    buffer[(c * stride) + offset + r] = source[c];
                }
            }
        }
        else
        {
            FillConv(geometry, input, shape, group, step, start, count, buffer, stride, offset, seed, taps);
        }

        if (withBias)
        {
            buffer.Slice((geometry.Columns * stride) + offset, count).Fill(1f);
        }
    }

    internal static (int OutH, int OutW, int PadTop, int PadLeft) Output(ConvWindow window, IReadOnlyList<long> shape)
    {
        var height = shape.Count == 3 ? 1 : (int)shape[2];
        var (outH, padTop) = window.Axis(height, window.KernelHeight, window.StrideH, window.DilationH, window.Pads[0], window.Pads[2]);
        var (outW, padLeft) = window.Axis((int)shape[^1], window.KernelWidth, window.StrideW, window.DilationW, window.Pads[1], window.Pads[3]);
        return (outH, outW, padTop, padLeft);
    }

    /// <summary>
    /// For sampled positions of a Conv (a step above 1; null otherwise): per window tap t and row r, at <c>[t * count + r]</c>, the offset the
    /// row reads from the start of its group's first channel plane (-1 where the tap reads padding). The same for every group and channel, so a
    /// depthwise layer's hundreds of groups share one position and bounds computation per element instead of each doing its own.
    /// </summary>
    public static int[]? Taps(LayerGeometry geometry, IReadOnlyList<long> shape, int step, int start, int count, int seed)
    {
        if (geometry.Kind == LayerKind.Dense || step == 1)
        {
            return null;
        }

        var window = geometry.Window!;
        int channels = (int)shape[1], height = shape.Count == 3 ? 1 : (int)shape[2], width = (int)shape[^1];
        var (outH, outW, padTop, padLeft) = Output(window, shape);
        var plane = height * width;
        var taps = new int[window.KernelHeight * window.KernelWidth * count];
        var total = (int)shape[0] * outH * outW;
        for (var r = 0; r < count; r++)
        {
            var position = Position(start + r, step, total, seed);
            var within = position % (outH * outW);
            var y0 = ((within / outW) * window.StrideH) - padTop;
            var x0 = ((within % outW) * window.StrideW) - padLeft;
            var corner = (position / (outH * outW) * channels * plane) + (y0 * width) + x0;
            for (var i = 0; i < window.KernelHeight; i++)
            {
                var y = y0 + (i * window.DilationH);
                for (var j = 0; j < window.KernelWidth; j++)
                {
                    var x = x0 + (j * window.DilationW);
                    var at = (((i * window.KernelWidth) + j) * count) + r;
                    taps[at] = y >= 0 && y < height && x >= 0 && x < width ? corner + ((y - y0) * width) + (x - x0) : -1;
                }
            }
        }

        return taps;
    }

    private static void FillConv(LayerGeometry geometry, ReadOnlySpan<float> input, IReadOnlyList<long> shape, int group, int step, int start, int count, Span<float> buffer,
        int stride, int offset, int seed, int[]? taps)
    {
        var window = geometry.Window!;
        int channels = (int)shape[1], height = shape.Count == 3 ? 1 : (int)shape[2], width = (int)shape[^1];
        var (outH, outW, padTop, padLeft) = Output(window, shape);
        var perGroup = channels / geometry.Groups;
        var kernel = window.KernelHeight * window.KernelWidth;
        if (step == 1)
        {
            FillRuns(window, input, channels, height, width, outH, outW, padTop, padLeft, group * perGroup, perGroup, start, count, buffer, stride, offset);
            return;
        }

        taps ??= Taps(geometry, shape, step, start, count, seed)!;
        for (var c = 0; c < perGroup; c++)
        {
            var channel = input[(((group * perGroup) + c) * height * width)..];
            for (var t = 0; t < kernel; t++)
            {
                var column = buffer.Slice((((c * kernel) + t) * stride) + offset, count);
                var offsets = taps.AsSpan(t * count, count);
                for (var r = 0; r < count; r++)
                {
                    var at = offsets[r];
                    column[r] = at >= 0 ? channel[at] : 0f;
                }
            }
        }
    }

    /// <summary>
    /// Consecutive positions (a step of 1): each column is a few runs along output rows, each one span copy from the image row the window
    /// reads (zeros where it reads padding) instead of a position and bounds check per element; the values <see cref="FillConv"/> writes otherwise.
    /// </summary>
    private static void FillRuns(ConvWindow window, ReadOnlySpan<float> input, int channels, int height, int width, int outH, int outW, int padTop, int padLeft,
        int firstChannel, int perGroup, int start, int count, Span<float> buffer, int stride, int offset)
    {
        var kernel = window.KernelHeight * window.KernelWidth;
        for (var c = 0; c < perGroup; c++)
        {
            for (var t = 0; t < kernel; t++)
            {
                int dy = (t / window.KernelWidth) * window.DilationH, dx = (t % window.KernelWidth) * window.DilationW;
                var column = buffer.Slice((((c * kernel) + t) * stride) + offset, count);
                for (var r = 0; r < count;)
                {
                    var position = start + r;
                    var within = position % (outH * outW);
                    int oy = within / outW, ox = within % outW;
                    var run = Math.Min(outW - ox, count - r);
                    var target = column.Slice(r, run);
                    var y = (oy * window.StrideH) + dy - padTop;
                    if (y < 0 || y >= height)
                    {
                        target.Clear();
                    }
                    else
                    {
                        var image = ((((position / (outH * outW)) * channels) + firstChannel + c) * height * width) + (y * width);
                        CopyRow(input.Slice(image, width), (ox * window.StrideW) + dx - padLeft, window.StrideW, target);
                    }

                    r += run;
                }
            }
        }
    }

    /// <summary>target[o] = row[x0 + o * stride], 0 outside the row.</summary>
    internal static void CopyRow(ReadOnlySpan<float> row, int x0, int stride, Span<float> target)
    {
        if (stride == 1)
        {
            var first = Math.Clamp(-x0, 0, target.Length);
            var last = Math.Clamp(row.Length - x0, first, target.Length);
            target[..first].Clear();
            if (last > first)
            {
                row.Slice(x0 + first, last - first).CopyTo(target[first..]);
            }

            target[last..].Clear();
            return;
        }

        for (var o = 0; o < target.Length; o++)
        {
            var x = x0 + (o * stride);
            target[o] = x >= 0 && x < row.Length ? row[x] : 0f;
        }
    }
}
