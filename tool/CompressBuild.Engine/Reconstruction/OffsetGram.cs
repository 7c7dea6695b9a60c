using System.Buffers;
using System.Numerics.Tensors;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// The Gram matrix of a stride-1 Conv's im2col rows over every output position, from channel cross-correlations at the window's
/// offset differences instead of the product of the (C k^2)-column rows themselves. Entry ((c, s), (c', t)) for window taps s and t
/// (offsets a_s, a_t into the image) sums X[c, q] X[c', q + d], d = a_t - a_s, over the positions q = p + a_s at which both taps
/// read inside the image: a rectangle. The tap pairs with the same d share the largest rectangle common to all of them (its core,
/// summed once per d: 13 products of C x C for a 3 x 3 window) and each adds its own border strips around it (its rectangle minus
/// the core: a row or column per padded side), so padding is exact, not approximated. Products of 512 positions and more go through
/// ONNX Runtime's SGEMM (<see cref="RuntimeGemm"/>). Per output row that is 13 C^2 + border products against (9 C)^2 for the rows:
/// the detector's 96-channel 3 x 3 consumers (72 channels kept at 25%) took 55 k im2col rows of 649 columns each through SGEMM.
/// Equal to the rows' Gram matrix up to float summation order (<c>Reconstruction/OffsetGramTests</c>).
/// </summary>
public static class OffsetGram
{
    /// <summary>
    /// The group's input channels (ascending) whose columns a matrix sums, when this path serves the layer: a Conv (1-D or 2-D) of stride 1
    /// and a window of more than one tap, whose <paramref name="columns"/> (null for all) take every tap of a channel or none. Null otherwise.
    /// </summary>
    public static IReadOnlyList<int>? Channels(LayerGeometry geometry, IReadOnlyList<int>? columns)
    {
        if (geometry is not { Kind: LayerKind.Conv, Window: { StrideH: 1, StrideW: 1 } window })
        {
            return null;
        }

        var kernel = window.KernelHeight * window.KernelWidth;
        var perGroup = geometry.Columns / kernel;
        if (kernel == 1)
        {
            return null;
        }

        if (columns is null)
        {
            return Enumerable.Range(0, perGroup).ToArray();
        }

        var taps = new int[perGroup];
        foreach (var column in columns.Where(c => c < geometry.Columns))
        {
            taps[column / kernel]++;
        }

        return taps.All(t => t == 0 || t == kernel) ? Enumerable.Range(0, perGroup).Where(c => taps[c] == kernel).ToArray() : null;
    }

    /// <summary>
    /// Adds every output position of one input (all batch items) to each group's <paramref name="gram"/>: the entries of the
    /// <paramref name="channels"/>' columns (and the bias column's, with <paramref name="withBias"/> and <paramref name="bias"/>), upper triangle,
    /// the rows <see cref="InputRows.Fill"/> writes with a step of 1. Every other entry is left as it is.
    /// </summary>
    /// <param name="bias">The bias column's entries are summed (false where a solve does not read them).</param>
    public static void Add(LayerGeometry geometry, IReadOnlyList<int> channels, ReadOnlySpan<float> input, IReadOnlyList<long> shape, bool withBias, bool bias,
        IReadOnlyList<GramMatrix> gram)
    {
        var window = geometry.Window!;
        int all = (int)shape[1], height = shape.Count == 3 ? 1 : (int)shape[2], width = (int)shape[^1];
        var (outH, padTop) = window.Axis(height, window.KernelHeight, 1, window.DilationH, window.Pads[0], window.Pads[2]);
        var (outW, padLeft) = window.Axis(width, window.KernelWidth, 1, window.DilationW, window.Pads[1], window.Pads[3]);
        if (outH <= 0 || outW <= 0 || channels.Count == 0)
        {
            return;
        }

        var kernel = window.KernelHeight * window.KernelWidth;
        var taps = new (int Y, int X)[kernel];
        var reads = new Rect[kernel];
        for (var t = 0; t < kernel; t++)
        {
            taps[t] = (((t / window.KernelWidth) * window.DilationH) - padTop, ((t % window.KernelWidth) * window.DilationW) - padLeft);
            // The output positions whose tap t reads inside the image, moved to the image positions it reads.
            reads[t] = new Rect(Math.Max(0, -taps[t].Y), Math.Min(outH, height - taps[t].Y), Math.Max(0, -taps[t].X), Math.Min(outW, width - taps[t].X))
                .Shift(taps[t].Y, taps[t].X);
        }

        var offsets = Offsets(taps, reads);
        var m = channels.Count;
        var largest = offsets.Max(o => Math.Max(o.Core.Area, o.Pairs.Max(p => p.Strips.Sum(s => s.Area))));
        var left = ArrayPool<float>.Shared.Rent(m * Math.Max(1, largest));
        var right = ArrayPool<float>.Shared.Rent(m * Math.Max(1, largest));
        var product = new GramMatrix(m, false, runtimeGemmFrom: 0);
        var perGroup = all / geometry.Groups;
        var size = gram[0].Size;
        var biasColumn = withBias && bias ? geometry.Columns : -1;
        try
        {
            for (var g = 0; g < geometry.Groups; g++)
            {
                var values = gram[g].Values;
                for (var n = 0; n < (int)shape[0]; n++)
                {
                    var images = input.Slice(((n * all) + (g * perGroup)) * height * width, perGroup * height * width);
                    foreach (var offset in offsets)
                    {
                        if (Multiply(images, height * width, width, channels, [offset.Core], offset.Y, offset.X, left, right, product))
                        {
                            foreach (var pair in offset.Pairs)
                            {
                                Scatter(product.Values, m, channels, kernel, pair.S, pair.T, values, size);
                            }
                        }

                        foreach (var pair in offset.Pairs)
                        {
                            if (Multiply(images, height * width, width, channels, pair.Strips, offset.Y, offset.X, left, right, product))
                            {
                                Scatter(product.Values, m, channels, kernel, pair.S, pair.T, values, size);
                            }
                        }
                    }

                    if (biasColumn >= 0)
                    {
                        for (var t = 0; t < kernel; t++)
                        {
                            for (var k = 0; k < m; k++)
                            {
                                values[(((channels[k] * kernel) + t) * size) + biasColumn] += Sum(images.Slice(channels[k] * height * width, height * width), width, reads[t]);
                            }
                        }

                        values[(biasColumn * size) + biasColumn] += outH * outW;
                    }

                    gram[g].AddRowCount((long)outH * outW);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(left);
            ArrayPool<float>.Shared.Return(right);
        }
    }

    /// <summary>
    /// The tap pairs s &lt;= t grouped by their offset difference d: each pair's image rectangle (positions q = p + a_s where both taps read
    /// inside the image), the core common to the group's pairs, and what each pair adds outside the core.
    /// </summary>
    private static List<Offset> Offsets((int Y, int X)[] taps, Rect[] reads)
    {
        var groups = new Dictionary<(int Y, int X), List<(int S, int T, Rect Rect)>>();
        for (var s = 0; s < taps.Length; s++)
        {
            for (var t = s; t < taps.Length; t++)
            {
                var d = (taps[t].Y - taps[s].Y, taps[t].X - taps[s].X);
                // q reads tap s inside the image, q + d tap t: the second read moved back by d.
                var rect = reads[s].Intersect(reads[t].Shift(-d.Item1, -d.Item2));
                if (!groups.TryGetValue(d, out var list))
                {
                    groups[d] = list = [];
                }

                list.Add((s, t, rect));
            }
        }

        var offsets = new List<Offset>();
        foreach (var (d, pairs) in groups.OrderBy(g => g.Key.Y).ThenBy(g => g.Key.X))
        {
            var core = pairs.Select(p => p.Rect).Aggregate((a, b) => a.Intersect(b));
            offsets.Add(new Offset(d.Y, d.X, core, pairs.Select(p => new Pair(p.S, p.T, p.Rect.Without(core))).ToList()));
        }

        return offsets;
    }

    /// <summary>
    /// The m x m product of the channels' values over <paramref name="rects"/> (left) against the same positions moved by (dy, dx) (right), into
    /// <paramref name="product"/>'s values (cleared first); false where the rectangles hold no position.
    /// </summary>
    private static bool Multiply(ReadOnlySpan<float> images, int plane, int width, IReadOnlyList<int> channels, IReadOnlyList<Rect> rects, int dy, int dx,
        float[] left, float[] right, GramMatrix product)
    {
        var area = rects.Sum(r => r.Area);
        if (area == 0)
        {
            return false;
        }

        for (var k = 0; k < channels.Count; k++)
        {
            var image = images.Slice(channels[k] * plane, plane);
            var at = k * area;
            foreach (var rect in rects.Where(r => r.Area > 0))
            {
                var columns = rect.X1 - rect.X0;
                for (var y = rect.Y0; y < rect.Y1; y++)
                {
                    image.Slice((y * width) + rect.X0, columns).CopyTo(left.AsSpan(at));
                    image.Slice(((y + dy) * width) + rect.X0 + dx, columns).CopyTo(right.AsSpan(at));
                    at += columns;
                }
            }
        }

        Array.Clear(product.Values);
        product.AddCross(left, right, area, area);
        return true;
    }

    /// <summary>Adds product entry (k1, k2), column (c1, s) against (c2, t), into the upper triangle of the layer's matrix.</summary>
    private static void Scatter(double[] product, int m, IReadOnlyList<int> channels, int kernel, int s, int t, double[] values, int size)
    {
        for (var k1 = 0; k1 < m; k1++)
        {
            var i = (channels[k1] * kernel) + s;
            // With s = t the product is symmetric and both (k1, k2) and (k2, k1) name the same entry: one of them.
            for (var k2 = s == t ? k1 : 0; k2 < m; k2++)
            {
                var j = (channels[k2] * kernel) + t;
                values[i <= j ? ((long)i * size) + j : ((long)j * size) + i] += product[(k1 * m) + k2];
            }
        }
    }

    private static double Sum(ReadOnlySpan<float> image, int width, Rect rect)
    {
        double sum = 0;
        for (var y = rect.Y0; y < rect.Y1; y++)
        {
            sum += TensorPrimitives.Sum(image.Slice((y * width) + rect.X0, rect.X1 - rect.X0));
        }

        return sum;
    }

    private sealed record Pair(int S, int T, IReadOnlyList<Rect> Strips);

    private sealed record Offset(int Y, int X, Rect Core, IReadOnlyList<Pair> Pairs);

    /// <summary>Image rows [Y0, Y1) x columns [X0, X1); empty when either side is.</summary>
    private readonly record struct Rect(int Y0, int Y1, int X0, int X1)
    {
        public int Area => Y1 > Y0 && X1 > X0 ? (Y1 - Y0) * (X1 - X0) : 0;

        public Rect Shift(int dy, int dx) => new(Y0 + dy, Y1 + dy, X0 + dx, X1 + dx);

        public Rect Intersect(Rect other) => new(Math.Max(Y0, other.Y0), Math.Min(Y1, other.Y1), Math.Max(X0, other.X0), Math.Min(X1, other.X1));

        /// <summary>This rectangle minus <paramref name="inner"/> (inside it, or empty): the rows above and below it, then the columns beside it.</summary>
        public IReadOnlyList<Rect> Without(Rect inner) => inner.Area == 0
            ? [this]
            : [new(Y0, inner.Y0, X0, X1), new(inner.Y1, Y1, X0, X1), new(inner.Y0, inner.Y1, X0, inner.X0), new(inner.Y0, inner.Y1, inner.X1, X1)];
    }
}
