namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// Turns one sample of a layer's input into rows of X (a MatMul's rows, a Conv's im2col patches of one group, with
/// an optional trailing 1 for the bias), written column-major into a chunk buffer (each input column contiguous, so
/// every Gram entry is one vectorized dot product). A large feature map contributes an evenly strided subset of its
/// positions, at most <see cref="MaxRowsPerSample"/>, so the cost per sample stays bounded and every sample counts.
/// </summary>
public static class InputRows
{
    public const int MaxRowsPerSample = 4096;

    /// <summary>Rows this sample contributes and the stride between the positions taken.</summary>
    public static (int Rows, int Step) Plan(LayerGeometry geometry, IReadOnlyList<long> shape, int length)
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

        var step = Math.Max(1, (total + MaxRowsPerSample - 1) / MaxRowsPerSample);
        var rows = (total + step - 1) / step;
        return (rows, step);
    }

    /// <summary>
    /// Writes rows [start, start + count) of group <paramref name="group"/> column-major into <paramref name="buffer"/>:
    /// column j's rows go to <c>buffer[j * stride + offset ..]</c>, so rows of several samples pile up in one chunk.
    /// </summary>
    public static void Fill(LayerGeometry geometry, ReadOnlySpan<float> input, IReadOnlyList<long> shape, int group, bool withBias, int step, int start, int count,
        Span<float> buffer, int stride, int offset)
    {
        if (geometry.Kind == LayerKind.Dense)
        {
            var k = geometry.Columns;
            for (var r = 0; r < count; r++)
            {
                var source = input.Slice((start + r) * step * k, k);
                for (var c = 0; c < k; c++)
                {
                    buffer[(c * stride) + offset + r] = source[c];
                }
            }
        }
        else
        {
            FillConv(geometry, input, shape, group, step, start, count, buffer, stride, offset);
        }

        if (withBias)
        {
            buffer.Slice((geometry.Columns * stride) + offset, count).Fill(1f);
        }
    }

    private static (int OutH, int OutW, int PadTop, int PadLeft) Output(ConvWindow window, IReadOnlyList<long> shape)
    {
        var height = shape.Count == 3 ? 1 : (int)shape[2];
        var (outH, padTop) = window.Axis(height, window.KernelHeight, window.StrideH, window.DilationH, window.Pads[0], window.Pads[2]);
        var (outW, padLeft) = window.Axis((int)shape[^1], window.KernelWidth, window.StrideW, window.DilationW, window.Pads[1], window.Pads[3]);
        return (outH, outW, padTop, padLeft);
    }

    private static void FillConv(LayerGeometry geometry, ReadOnlySpan<float> input, IReadOnlyList<long> shape, int group, int step, int start, int count, Span<float> buffer,
        int stride, int offset)
    {
        var window = geometry.Window!;
        int channels = (int)shape[1], height = shape.Count == 3 ? 1 : (int)shape[2], width = (int)shape[^1];
        var (outH, outW, padTop, padLeft) = Output(window, shape);
        var perGroup = channels / geometry.Groups;
        var kernel = window.KernelHeight * window.KernelWidth;
        var n = count <= 1024 ? stackalloc int[count] : new int[count];
        var y0 = count <= 1024 ? stackalloc int[count] : new int[count];
        var x0 = count <= 1024 ? stackalloc int[count] : new int[count];
        for (var r = 0; r < count; r++)
        {
            var position = (start + r) * step;
            n[r] = position / (outH * outW);
            var within = position % (outH * outW);
            y0[r] = ((within / outW) * window.StrideH) - padTop;
            x0[r] = ((within % outW) * window.StrideW) - padLeft;
        }

        for (var c = 0; c < perGroup; c++)
        {
            var channel = (group * perGroup) + c;
            for (var i = 0; i < window.KernelHeight; i++)
            {
                var dy = i * window.DilationH;
                for (var j = 0; j < window.KernelWidth; j++)
                {
                    var column = buffer.Slice((((c * kernel) + (i * window.KernelWidth) + j) * stride) + offset, count);
                    var dx = j * window.DilationW;
                    for (var r = 0; r < count; r++)
                    {
                        var y = y0[r] + dy;
                        var x = x0[r] + dx;
                        column[r] = y >= 0 && y < height && x >= 0 && x < width ? input[(((n[r] * channels) + channel) * height * width) + (y * width) + x] : 0f;
                    }
                }
            }
        }
    }
}
