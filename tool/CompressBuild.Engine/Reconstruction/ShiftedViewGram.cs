using System.Numerics.Tensors;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// The Gram (and cross) matrices of a Conv group with few input channels (depthwise, or groups of up to
/// <see cref="MaxChannelsPerGroup"/>) over every output position, without writing one im2col row per position. Patch
/// column (c, i, j) at every position is a shifted (and strided) view of channel c's zero-padded image, so each entry
/// G[a, b] = sum_p x[p + a] x[p + b] is one vectorized dot product of two contiguous views (<see cref="ShiftedViews"/>). The recognizer's
/// depthwise layers (3,000-odd groups of 9 or 25 columns) made the per-row update the bulk of SparseGPT's capture.
/// Sums run in float over at most <see cref="Segment"/> positions, then add into the doubles (as the row tiles do).
/// </summary>
public static class ShiftedViewGram
{
    /// <summary>Up to this many input channels per group; wider groups have enough columns for the blocked update to pay.</summary>
    public const int MaxChannelsPerGroup = 8;

    /// <summary>Positions summed in float before adding into the doubles.</summary>
    private const int Segment = 4096;

    /// <summary>Whether this path serves the layer: a Conv whose groups hold at most <see cref="MaxChannelsPerGroup"/> input channels.</summary>
    public static bool Applies(LayerGeometry geometry) =>
        geometry is { Kind: LayerKind.Conv, Window: { } window } && geometry.Columns / (window.KernelHeight * window.KernelWidth) <= MaxChannelsPerGroup;

    /// <summary>
    /// Adds every output position of one input (all batch items) to each group's <paramref name="gram"/> and, with the teacher's input (same
    /// shape), to its <paramref name="cross"/>: the sums <see cref="InputRows.Fill"/> and <see cref="GramMatrix.Add"/> give with a step of 1,
    /// up to float summation order.
    /// </summary>
    public static void Add(LayerGeometry geometry, ReadOnlySpan<float> input, IReadOnlyList<long> shape, bool withBias, IReadOnlyList<GramMatrix> gram,
        ReadOnlySpan<float> teacher = default, IReadOnlyList<GramMatrix>? cross = null)
    {
        var layout = ShiftedViews.Of(geometry, shape);
        if (layout.Positions == 0)
        {
            return;
        }

        var size = layout.Buffers * layout.ViewBuffer;
        var left = new float[size];
        var right = cross is null ? null : new float[size];
        for (var g = 0; g < geometry.Groups; g++)
        {
            for (var n = 0; n < (int)shape[0]; n++)
            {
                layout.Fill(input, n, g, left);
                AddProducts(layout, left, left, gram[g], symmetric: true, withBias);
                if (cross is not null)
                {
                    layout.Fill(teacher, n, g, right!);
                    AddProducts(layout, left, right!, cross[g], symmetric: false, withBias);
                }
            }
        }
    }

    private static void AddProducts(ShiftedViews layout, float[] left, float[] right, GramMatrix target, bool symmetric, bool withBias)
    {
        var columns = layout.Columns;
        var n = target.Size;
        var values = target.Values;
        var count = layout.Positions;
        for (var a = 0; a < columns; a++)
        {
            var x = layout.View(left, a);
            for (var b = symmetric ? a : 0; b < columns; b++)
            {
                if (target.DiagonalOnly && a != b)
                {
                    continue;
                }

                values[((long)a * n) + b] += Dot(x, layout.View(right, b));
            }

            if (withBias && !target.DiagonalOnly)
            {
                values[((long)a * n) + columns] += Sum(x);
                if (!symmetric)
                {
                    values[((long)columns * n) + a] += Sum(layout.View(right, a));
                }
            }
        }

        if (withBias)
        {
            values[((long)columns * n) + columns] += count;
        }

        target.AddRowCount(count);
    }

    private static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double sum = 0;
        for (var start = 0; start < x.Length; start += Segment)
        {
            var length = Math.Min(Segment, x.Length - start);
            sum += TensorPrimitives.Dot(x.Slice(start, length), y.Slice(start, length));
        }

        return sum;
    }

    private static double Sum(ReadOnlySpan<float> x)
    {
        double sum = 0;
        for (var start = 0; start < x.Length; start += Segment)
        {
            sum += TensorPrimitives.Sum(x.Slice(start, Math.Min(Segment, x.Length - start)));
        }

        return sum;
    }
}
