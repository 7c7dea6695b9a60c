using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// The Gram matrices of a depthwise Conv (one input channel per group) summed for every channel at once, one vector lane per channel,
/// instead of group by group. The sample's map is laid out channels-last, so a window tap of one position is a contiguous vector over
/// the channels and each (tap, tap) entry of every channel's matrix is one vector multiply-add per row; no row is copied into a
/// <see cref="RowChunk"/>. Group by group, the recognizer's 5x5 depthwise layers (240 and 480 groups of 25 columns, 120-192 sampled
/// rows a line) took about half of SparseGPT's fold: each group gathered its rows tap by tap, then a 25-column block update spent as
/// much on horizontal sums and row tails as on products. Rows are those <see cref="InputRows.Fill"/> takes (the same positions); the
/// sums run in float over <see cref="TileRows"/> rows, then add into doubles, so the bytes differ from the group-by-group path's.
/// </summary>
internal sealed class DepthwiseGram
{
    /// <summary>Rows each float sum runs over before it is added into the doubles (each lane of the group-by-group kernel sums 32 products a tile too).</summary>
    private const int TileRows = 32;

    /// <summary>Layers with fewer groups keep the group-by-group path (a lane per channel would be mostly padding).</summary>
    private const int MinGroups = 16;

    private readonly LayerGeometry geometry;
    private readonly int size;
    private readonly int taps;
    private readonly int lanes;
    private readonly int width;
    private readonly bool vector512;
    private double[] sums = [];
    private float[] pixels = [];
    private int[] offsets = [];
    private int[] slotOf = [];
    private readonly List<int> touched = [];
    private long rows;

    /// <param name="vector512">Vector512 lanes with a 4 x 4 block of taps instead of Vector256 ones with 2 x 4; by default where Vector512 is accelerated.</param>
    public DepthwiseGram(LayerGeometry geometry, bool withBias, bool? vector512 = null)
    {
        this.geometry = geometry;
        this.vector512 = vector512 ?? Vector512.IsHardwareAccelerated;
        width = this.vector512 ? Vector512<float>.Count : Vector256<float>.Count;
        size = geometry.Columns + (withBias ? 1 : 0);
        taps = (size + 3) / 4 * 4;
        lanes = (geometry.Groups + width - 1) / width * width;
    }

    /// <summary>Whether this path serves the layer: a Conv with one input channel per group and at least <see cref="MinGroups"/> groups.</summary>
    public static bool Applies(LayerGeometry geometry) =>
        geometry is { Kind: LayerKind.Conv, Window: { } window } && geometry.Groups >= MinGroups && geometry.Columns == window.KernelHeight * window.KernelWidth;

    /// <summary>Adds rows [0, <paramref name="count"/>) of one input (positions as <see cref="InputRows.Position"/> picks them with this step and seed).</summary>
    public void Add(ReadOnlySpan<float> input, IReadOnlyList<long> shape, int count, int step, int seed)
    {
        var window = geometry.Window!;
        int batch = (int)shape[0], height = shape.Count == 3 ? 1 : (int)shape[2], across = (int)shape[^1];
        var (outH, outW, padTop, padLeft) = InputRows.Output(window, shape);
        var plane = height * across;
        if (sums.Length == 0)
        {
            // At the first sampled input: a layer whose samples are all taken whole (step 1, ShiftedViewGram) never needs them.
            sums = new double[(long)size * size * lanes];
        }

        if (slotOf.Length < batch * plane)
        {
            slotOf = new int[batch * plane];
        }

        if (offsets.Length < count * taps)
        {
            offsets = new int[count * taps];
        }

        // Slots 0 and 1 are the zero and the ones pixel; each pixel a row reads gets the next slot at its first read.
        touched.Clear();
        var total = batch * outH * outW;
        for (var r = 0; r < count; r++)
        {
            var position = InputRows.Position(r, step, total, seed);
            var within = position % (outH * outW);
            var y0 = ((within / outW) * window.StrideH) - padTop;
            var x0 = ((within % outW) * window.StrideW) - padLeft;
            var image = position / (outH * outW) * plane;
            var row = offsets.AsSpan(r * taps, taps);
            for (var t = 0; t < taps; t++)
            {
                var y = y0 + (t / window.KernelWidth * window.DilationH);
                var x = x0 + (t % window.KernelWidth * window.DilationW);
                var slot = t >= geometry.Columns ? (t < size ? 1 : 0) : y >= 0 && y < height && x >= 0 && x < across ? Slot(image + (y * across) + x) : 0;
                row[t] = slot * width;
            }
        }

        foreach (var pixel in touched)
        {
            slotOf[pixel] = 0;
        }

        for (var lane = 0; lane < lanes; lane += width)
        {
            Transpose(input, plane, lane);
            for (var i = 0; i < taps; i += vector512 ? 4 : 2)
            {
                for (var j = i / 4 * 4; j < taps; j += 4)
                {
                    for (var first = 0; first < count; first += TileRows)
                    {
                        var last = Math.Min(count, first + TileRows);
                        if (vector512)
                        {
                            Block512(lane, first, last, i, j);
                        }
                        else
                        {
                            Block256(lane, first, last, i, j);
                        }
                    }
                }
            }
        }

        rows += count;
    }

    /// <summary>Adds the sums into each group's matrix (its upper triangle) and starts again from zero.</summary>
    public void Flush(IReadOnlyList<GramMatrix> gram)
    {
        if (rows == 0)
        {
            return;
        }

        for (var g = 0; g < geometry.Groups; g++)
        {
            var values = gram[g].Values;
            for (var a = 0; a < size; a++)
            {
                for (var b = a; b < size; b++)
                {
                    values[(a * size) + b] += sums[(((((g / width * size) + a) * size) + b) * width) + (g % width)];
                }
            }

            gram[g].AddRowCount(rows);
        }

        Array.Clear(sums);
        rows = 0;
    }

    /// <returns>The slot of <paramref name="pixel"/>, given at its first read (<see cref="slotOf"/> holds its place in <see cref="touched"/> plus one, 0 for none yet).</returns>
    private int Slot(int pixel)
    {
        if (slotOf[pixel] == 0)
        {
            touched.Add(pixel);
            slotOf[pixel] = touched.Count;
        }

        return slotOf[pixel] + 1;
    }

    /// <summary>
    /// The pixels the rows read, channels-last for the vector of channels from <paramref name="lane"/>: slot s's channels at <c>[s * width ..]</c>,
    /// slot 0 zeros and slot 1 ones. One block's pixels are contiguous and just written, so the rows' taps stay in L1 while its sums run (with
    /// every channel of a pixel side by side, the 1,920-byte pixel stride of 480 channels mapped the taps onto a few cache sets and the loads
    /// went to L2), one block at a time holds at most a vector's width of the map, and only pixels some row reads are copied (a 3x3 layer
    /// sampling 72 of 1,920 positions reads a third of its map).
    /// </summary>
    private void Transpose(ReadOnlySpan<float> input, int plane, int lane)
    {
        var needed = (touched.Count + 2) * width;
        if (pixels.Length < needed)
        {
            pixels = GC.AllocateArray<float>(needed, pinned: true);
        }

        var channels = geometry.Groups;
        var count = Math.Min(width, channels - lane);
        var target = pixels.AsSpan(0, needed);
        if (count < width)
        {
            // The lanes past the last channel read zeros (their sums are never flushed).
            target.Clear();
        }

        target[..width].Clear();
        target.Slice(width, width).Fill(1f);
        for (var s = 0; s < touched.Count; s++)
        {
            var pixel = touched[s];
            var source = input[(((((pixel / plane) * channels) + lane) * plane) + (pixel % plane))..];
            var to = target.Slice((s + 2) * width, count);
            for (var c = 0; c < count; c++)
            {
                to[c] = source[c * plane];
            }
        }
    }

    /// <summary>Taps [i, i + 4) against [j, j + 4) over rows [first, last) of the lanes from <paramref name="lane"/>.</summary>
    private void Block512(int lane, int first, int last, int i, int j)
    {
        ref var source = ref MemoryMarshal.GetArrayDataReference(pixels);
        ref var at = ref MemoryMarshal.GetArrayDataReference(offsets);
        Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default, s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<float> s20 = default, s21 = default, s22 = default, s23 = default, s30 = default, s31 = default, s32 = default, s33 = default;
        for (var r = first; r < last; r++)
        {
            ref var row = ref Unsafe.Add(ref at, r * taps);
            var x0 = Vector512.LoadUnsafe(ref source, (nuint)Unsafe.Add(ref row, i));
            var x1 = Vector512.LoadUnsafe(ref source, (nuint)Unsafe.Add(ref row, i + 1));
            var x2 = Vector512.LoadUnsafe(ref source, (nuint)Unsafe.Add(ref row, i + 2));
            var x3 = Vector512.LoadUnsafe(ref source, (nuint)Unsafe.Add(ref row, i + 3));
            var y = Vector512.LoadUnsafe(ref source, (nuint)Unsafe.Add(ref row, j));
            s00 = Vector512.FusedMultiplyAdd(x0, y, s00);
            s10 = Vector512.FusedMultiplyAdd(x1, y, s10);
            s20 = Vector512.FusedMultiplyAdd(x2, y, s20);
            s30 = Vector512.FusedMultiplyAdd(x3, y, s30);
            y = Vector512.LoadUnsafe(ref source, (nuint)Unsafe.Add(ref row, j + 1));
            s01 = Vector512.FusedMultiplyAdd(x0, y, s01);
            s11 = Vector512.FusedMultiplyAdd(x1, y, s11);
            s21 = Vector512.FusedMultiplyAdd(x2, y, s21);
            s31 = Vector512.FusedMultiplyAdd(x3, y, s31);
            y = Vector512.LoadUnsafe(ref source, (nuint)Unsafe.Add(ref row, j + 2));
            s02 = Vector512.FusedMultiplyAdd(x0, y, s02);
            s12 = Vector512.FusedMultiplyAdd(x1, y, s12);
            s22 = Vector512.FusedMultiplyAdd(x2, y, s22);
            s32 = Vector512.FusedMultiplyAdd(x3, y, s32);
            y = Vector512.LoadUnsafe(ref source, (nuint)Unsafe.Add(ref row, j + 3));
            s03 = Vector512.FusedMultiplyAdd(x0, y, s03);
            s13 = Vector512.FusedMultiplyAdd(x1, y, s13);
            s23 = Vector512.FusedMultiplyAdd(x2, y, s23);
            s33 = Vector512.FusedMultiplyAdd(x3, y, s33);
        }

        Store(lane, i, j, s00, s01, s02, s03);
        Store(lane, i + 1, j, s10, s11, s12, s13);
        Store(lane, i + 2, j, s20, s21, s22, s23);
        Store(lane, i + 3, j, s30, s31, s32, s33);
    }

    /// <summary>Taps [i, i + 2) against [j, j + 4), within AVX2's 16 registers.</summary>
    private void Block256(int lane, int first, int last, int i, int j)
    {
        ref var source = ref MemoryMarshal.GetArrayDataReference(pixels);
        ref var at = ref MemoryMarshal.GetArrayDataReference(offsets);
        Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default, s10 = default, s11 = default, s12 = default, s13 = default;
        for (var r = first; r < last; r++)
        {
            ref var row = ref Unsafe.Add(ref at, r * taps);
            var x0 = Vector256.LoadUnsafe(ref source, (nuint)Unsafe.Add(ref row, i));
            var x1 = Vector256.LoadUnsafe(ref source, (nuint)Unsafe.Add(ref row, i + 1));
            var y = Vector256.LoadUnsafe(ref source, (nuint)Unsafe.Add(ref row, j));
            s00 = Vector256.FusedMultiplyAdd(x0, y, s00);
            s10 = Vector256.FusedMultiplyAdd(x1, y, s10);
            y = Vector256.LoadUnsafe(ref source, (nuint)Unsafe.Add(ref row, j + 1));
            s01 = Vector256.FusedMultiplyAdd(x0, y, s01);
            s11 = Vector256.FusedMultiplyAdd(x1, y, s11);
            y = Vector256.LoadUnsafe(ref source, (nuint)Unsafe.Add(ref row, j + 2));
            s02 = Vector256.FusedMultiplyAdd(x0, y, s02);
            s12 = Vector256.FusedMultiplyAdd(x1, y, s12);
            y = Vector256.LoadUnsafe(ref source, (nuint)Unsafe.Add(ref row, j + 3));
            s03 = Vector256.FusedMultiplyAdd(x0, y, s03);
            s13 = Vector256.FusedMultiplyAdd(x1, y, s13);
        }

        Store(lane, i, j, s00.ToVector512Unsafe(), s01.ToVector512Unsafe(), s02.ToVector512Unsafe(), s03.ToVector512Unsafe());
        Store(lane, i + 1, j, s10.ToVector512Unsafe(), s11.ToVector512Unsafe(), s12.ToVector512Unsafe(), s13.ToVector512Unsafe());
    }

    /// <summary>Adds tap <paramref name="a"/>'s sums against taps [j, j + 4) into the doubles, the upper triangle's entries only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Store(int lane, int a, int j, Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3)
    {
        if (a >= size)
        {
            return;
        }

        Add(lane, a, j, s0);
        Add(lane, a, j + 1, s1);
        Add(lane, a, j + 2, s2);
        Add(lane, a, j + 3, s3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Add(int lane, int a, int b, Vector512<float> sum)
    {
        if (b < a || b >= size)
        {
            return;
        }

        ref var target = ref sums[(((((lane / width * size) + a) * size) + b) * width)];
        if (vector512)
        {
            var (low, high) = Vector512.Widen(sum);
            (Vector512.LoadUnsafe(ref target) + low).StoreUnsafe(ref target);
            (Vector512.LoadUnsafe(ref target, 8) + high).StoreUnsafe(ref target, 8);
        }
        else
        {
            var (low, high) = Vector256.Widen(sum.GetLower());
            (Vector256.LoadUnsafe(ref target) + low).StoreUnsafe(ref target);
            (Vector256.LoadUnsafe(ref target, 4) + high).StoreUnsafe(ref target, 4);
        }
    }
}
