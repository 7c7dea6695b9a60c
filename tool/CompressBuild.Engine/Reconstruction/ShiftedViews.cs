namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// Where each patch column (c, i, j) of a Conv group lies in per-channel buffers of shifted views (see <see cref="ShiftedViewGram"/>): one buffer
/// per channel c, kernel column j and row residue r (mod the vertical stride), holding the padded image's rows y = m * strideH + r, each cut to
/// the output width at horizontal offset j * dilationW with the horizontal stride applied, so every view is one contiguous span.
/// </summary>
internal sealed record ShiftedViews(ConvWindow Window, int Channels, int PerGroup, int Height, int Width, int OutH, int OutW, int PadTop, int PadLeft, int RowsPerResidue)
{
    public int Positions => OutH * OutW;

    public int Columns => PerGroup * Window.KernelHeight * Window.KernelWidth;

    /// <summary>Buffers per group: channel x kernel column x row residue.</summary>
    public int Buffers => PerGroup * Window.KernelWidth * Window.StrideH;

    public int ViewBuffer => RowsPerResidue * OutW;

    public static ShiftedViews Of(LayerGeometry geometry, IReadOnlyList<long> shape)
    {
        var window = geometry.Window!;
        int channels = (int)shape[1], height = shape.Count == 3 ? 1 : (int)shape[2], width = (int)shape[^1];
        var (outH, padTop) = window.Axis(height, window.KernelHeight, window.StrideH, window.DilationH, window.Pads[0], window.Pads[2]);
        var (outW, padLeft) = window.Axis(width, window.KernelWidth, window.StrideW, window.DilationW, window.Pads[1], window.Pads[3]);
        outH = Math.Max(0, outH);
        outW = Math.Max(0, outW);
        var rows = outH + ((window.KernelHeight - 1) * window.DilationH / window.StrideH);
        return new ShiftedViews(window, channels, channels / geometry.Groups, height, width, outH, outW, padTop, padLeft, rows);
    }

    /// <summary>Patch column a = (c, i, j), in <see cref="InputRows"/>' order: its values at every output position, row-major.</summary>
    public ReadOnlySpan<float> View(float[] buffers, int a)
    {
        var kernel = Window.KernelHeight * Window.KernelWidth;
        var c = a / kernel;
        var i = (a % kernel) / Window.KernelWidth;
        var j = a % Window.KernelWidth;
        var shift = i * Window.DilationH;
        var buffer = (((c * Window.KernelWidth) + j) * Window.StrideH) + (shift % Window.StrideH);
        return buffers.AsSpan((buffer * ViewBuffer) + (shift / Window.StrideH * OutW), Positions);
    }

    /// <summary>Writes batch item <paramref name="item"/>'s channels of <paramref name="group"/> into the buffers, zeros where the window reads padding.</summary>
    public void Fill(ReadOnlySpan<float> input, int item, int group, float[] buffers)
    {
        for (var c = 0; c < PerGroup; c++)
        {
            var image = input.Slice(((item * Channels) + (group * PerGroup) + c) * Height * Width, Height * Width);
            for (var j = 0; j < Window.KernelWidth; j++)
            {
                var x0 = (j * Window.DilationW) - PadLeft;
                for (var r = 0; r < Window.StrideH; r++)
                {
                    var buffer = buffers.AsSpan(((((c * Window.KernelWidth) + j) * Window.StrideH) + r) * ViewBuffer, ViewBuffer);
                    for (var m = 0; m < RowsPerResidue; m++)
                    {
                        var target = buffer.Slice(m * OutW, OutW);
                        var y = (m * Window.StrideH) + r - PadTop;
                        if (y < 0 || y >= Height)
                        {
                            target.Clear();
                            continue;
                        }

                        CopyRow(image.Slice(y * Width, Width), x0, Window.StrideW, target);
                    }
                }
            }
        }
    }

    /// <summary>target[o] = row[x0 + o * stride], 0 outside the row.</summary>
    private static void CopyRow(ReadOnlySpan<float> row, int x0, int stride, Span<float> target)
    {
        if (stride == 1)
        {
            var first = Math.Clamp(-x0, 0, target.Length);
            var last = Math.Clamp(row.Length - x0, first, target.Length);
            target[..first].Clear();
            row.Slice(x0 + first, last - first).CopyTo(target[first..]);
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
