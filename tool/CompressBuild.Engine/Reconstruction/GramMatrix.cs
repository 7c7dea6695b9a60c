using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// The running Gram matrix H = X^T X of a layer's input rows (one per group), accumulated chunk by chunk so no
/// activation outlives its sample. Chunks arrive column-major (each input column's values contiguous), which turns
/// every entry into a dot product, computed as a register-blocked rank-k update; wide cross matrices fed large chunks go
/// through ONNX Runtime's SGEMM instead (<see cref="RuntimeGemm"/>), where it measured faster.
/// </summary>
public sealed class GramMatrix
{
    /// <summary>Rows per tile: 2 x 4 columns of 256 floats (6 KiB) stay in L1 while their 8 sums run.</summary>
    private const int RowTile = 256;

    /// <summary>
    /// Rows per tile of the Vector512 kernel: 4 + 4 columns of 512 floats (16 KiB) stay in L1, and each of the 16 lanes of a sum
    /// adds 32 products per tile, as the Vector256 kernel's 8 lanes do over 256 rows.
    /// </summary>
    private const int WideRowTile = 512;

    /// <summary>
    /// Multiply-adds from which one update is split over the cores (about 2 ms of one core): the recognizer's last capture stage is one
    /// 2,881-column Gram matrix whose few rows ONNX Runtime computes in no time, and it ran on one core while the other waited.
    /// </summary>
    private const double ParallelWork = 64e6;

    /// <summary>
    /// A tile's right-hand columns are read in panels of about this size, which stay in L2 while every band of H passes over them, rather than all
    /// of them once per band (4 MB a tile for the recognizer's 2,881-column Gram matrix). The bytes are the same: each entry's sum over a tile
    /// is still one block's. Measured on one core (AVX-512, the Vector512 block), best of 9: 2,881 columns x 1,280 rows in 352-row chunks
    /// 135-142 ms against 150-152 ms; 865 x 12,000 in 1,200-row chunks 99-100 ms against 108-113 ms; 481 and 241 columns unchanged.
    /// </summary>
    private const int PanelBytes = 256 << 10;

    private static readonly ParallelOptions Parallelism = new() { MaxDegreeOfParallelism = Environment.ProcessorCount };

    private readonly bool vector512;
    private readonly double splitFrom;
    private readonly int panelBytes;

    private readonly int runtimeGemmFrom;
    private readonly bool symmetricThroughRuntimeGemm;
    private readonly IReadOnlyList<int>? columns;

    /// <param name="diagonalOnly">Accumulate only the diagonal (rows x columns instead of rows x columns^2), for a score that reads nothing else (HAWQ-V3's trace).</param>
    public GramMatrix(int size, bool diagonalOnly = false)
        : this(size, diagonalOnly, RuntimeGemm.MinColumns)
    {
    }

    /// <param name="runtimeGemmFrom">From this size on, chunks of at least <see cref="RuntimeGemm.MinRows"/> rows of a cross matrix go through ONNX Runtime's SGEMM
    /// (<see cref="RuntimeGemm"/>); tests compare both paths.</param>
    /// <param name="symmetricThroughRuntimeGemm">The symmetric update goes through SGEMM as well (see <see cref="Wide"/>).</param>
    /// <param name="columns">With <paramref name="symmetricThroughRuntimeGemm"/>: the only columns (ascending) whose entries are summed; see <see cref="Wide"/>.</param>
    /// <param name="vector512">The 4x4 Vector512 kernel instead of the 2x4 Vector256 one; by default where Vector512 is hardware accelerated (tests force
    /// both, since Vector512 runs, emulated, on any CPU).</param>
    /// <param name="splitFrom">Multiply-adds from which an update is split over the cores (by default <see cref="ParallelWork"/> where there is more
    /// than one); tests force the split to compare its bytes.</param>
    /// <param name="panelBytes">The size of a tile's column panels (by default <see cref="PanelBytes"/>); tests force narrow ones to compare their bytes.</param>
    internal GramMatrix(int size, bool diagonalOnly, int runtimeGemmFrom, bool symmetricThroughRuntimeGemm = false, IReadOnlyList<int>? columns = null,
        bool? vector512 = null, double? splitFrom = null, int panelBytes = PanelBytes)
    {
        this.panelBytes = panelBytes;
        this.vector512 = vector512 ?? Vector512.IsHardwareAccelerated;
        this.splitFrom = splitFrom ?? (Environment.ProcessorCount > 1 ? ParallelWork : double.PositiveInfinity);
        Size = size;
        DiagonalOnly = diagonalOnly;
        Values = new double[(long)size * size];
        HugePages.Advise(Values);
        this.runtimeGemmFrom = runtimeGemmFrom;
        this.symmetricThroughRuntimeGemm = symmetricThroughRuntimeGemm;
        this.columns = symmetricThroughRuntimeGemm && size >= runtimeGemmFrom ? columns : null;
    }

    /// <summary>
    /// A Gram matrix whose wide chunks go through ONNX Runtime's SGEMM too, though it computes both triangles:
    /// on the detector's 865-column consumers (1,212-row chunks) it took 64-100 ms of CPU against 200-327 ms for the
    /// blocked upper triangle (interleaved, loaded machine). Only for channel reconstruction's damped least squares; SparseGPT's and GPTQ's
    /// results moved with SGEMM's rounding (see <see cref="RuntimeGemm.MinColumns"/>). Given <paramref name="columns"/> (the columns a
    /// solve keeps, <see cref="ReconstructionTarget.SolvedColumns"/>) a wide matrix sums only their entries (every other stays 0): the
    /// detector's consumers at 25% of the channels removed keep 649 of 865, 56% of the products.
    /// </summary>
    internal static GramMatrix Wide(int size, IReadOnlyList<int>? columns = null) => new(size, false, RuntimeGemm.MinColumns, symmetricThroughRuntimeGemm: true, columns);

    public int Size { get; }

    /// <summary>Only the diagonal is summed; every other entry stays 0.</summary>
    public bool DiagonalOnly { get; }

    /// <summary>Row-major [Size, Size]; only the upper triangle is kept up to date until <see cref="Symmetrize"/>.</summary>
    public double[] Values { get; }

    /// <summary>How many rows of X have been added.</summary>
    public long Rows { get; private set; }

    /// <summary>Counts rows whose products were added straight into <see cref="Values"/> (<see cref="ShiftedViewGram"/>).</summary>
    internal void AddRowCount(long rows) => Rows += rows;

    /// <param name="columns">Column-major chunk: column j is <c>columns[j * stride .. j * stride + rows)</c>.</param>
    public void Add(ReadOnlySpan<float> columns, int rows, int stride)
    {
        if (DiagonalOnly)
        {
            for (var j = 0; j < Size; j++)
            {
                var column = columns.Slice(j * stride, rows);
                Values[((long)j * Size) + j] += TensorPrimitives.Dot(column, column);
            }
        }
        else
        {
            Accumulate(columns, columns, rows, stride, upperOnly: true);
        }

        Rows += rows;
    }

    /// <summary>
    /// Adds the cross products of two row sets with the same rows: <c>H[i, j] += left_i . right_j</c> for every i, j
    /// (not symmetric). With the working model's input on the left and the original model's on the right, this is
    /// X_p^T X_o, the right-hand side that makes a layer match the original model's output.
    /// </summary>
    public void AddCross(ReadOnlySpan<float> left, ReadOnlySpan<float> right, int rows, int stride)
    {
        Accumulate(left, right, rows, stride, upperOnly: false);
        Rows += rows;
    }

    /// <summary>
    /// The rank-k update H += L^T R, tile by tile over the rows (a tile's columns stay in cache while every entry
    /// reads them) with a register block: 2x4 of Vector256 (8 running sums per 6 vector loads, within AVX2's 16 registers), or
    /// where Vector512 is accelerated 4x4 of Vector512 (16 sums per 8 loads, within AVX-512's 32 registers: the 2x4 block was
    /// load-bound there). One dot product per entry would load 2 vectors per multiply-add. Sums run in float within a tile only,
    /// then add into the doubles, so the result depends on the kernel: the same bytes on every run on one CPU class, slightly
    /// different ones where Vector512 is not accelerated (AVX2, and the AVX-512 parts .NET gives 256-bit vectors for their throttling).
    /// </summary>
    private void Accumulate(ReadOnlySpan<float> left, ReadOnlySpan<float> right, int rows, int stride, bool upperOnly)
    {
        var n = Size;
        // Cross matrices and Wide ones only: the other Gram matrices stay with the block, whose rounding SparseGPT's and GPTQ's results
        // were measured with (see RuntimeGemm.MinColumns). Chosen columns always go through SGEMM, so the others stay 0 whatever the chunk.
        if (upperOnly && columns is not null || (!upperOnly || symmetricThroughRuntimeGemm) && n >= runtimeGemmFrom && rows >= RuntimeGemm.MinRows)
        {
            RuntimeGemm.Accumulate(left, right, n, rows, stride, Values, upperOnly, upperOnly ? columns : null);
            return;
        }

        var (tile, height) = vector512 ? (WideRowTile, 4) : (RowTile, 2);
        var bands = (n + height - 1) / height;
        var work = (double)n * n * rows / (upperOnly ? 2 : 1);
        if (work < splitFrom)
        {
            Bands(left, right, rows, stride, upperOnly, tile, height, 0, bands);
            return;
        }

        // Each part owns a run of bands (rows of H), so no entry is written by two threads and every entry's sums are the ones the
        // single-threaded loop makes: the bytes do not depend on the split. Equal shares of the triangle's products, several per core,
        // so a core that ONNX Runtime holds for a while does not leave the others waiting at the end.
        var parts = Math.Min(bands, 4 * Math.Max(2, Environment.ProcessorCount));
        var bounds = new int[parts + 1];
        for (var p = 1; p < parts; p++)
        {
            // Band b's share of an upper triangle is proportional to n - b * height: its start is where the remaining area is the rest's.
            var share = (double)p / parts;
            var band = upperOnly ? (int)((1 - Math.Sqrt(1 - share)) * bands) : (int)(share * bands);
            bounds[p] = Math.Clamp(band, bounds[p - 1], bands);
        }

        bounds[parts] = bands;
        // The chunk's spans cannot enter the parts' closures; their memory is pinned for the loop instead (the chunks are arrays, never copied).
        unsafe
        {
            fixed (float* l = left, r = right)
            {
                var (leftAt, rightAt, leftLength, rightLength) = ((nint)l, (nint)r, left.Length, right.Length);
                Parallel.For(0, parts, Parallelism, p => Bands(new ReadOnlySpan<float>((void*)leftAt, leftLength), new ReadOnlySpan<float>((void*)rightAt, rightLength),
                    rows, stride, upperOnly, tile, height, bounds[p], bounds[p + 1]));
            }
        }
    }

    /// <summary>
    /// Bands [first, last) of <paramref name="height"/> rows of H, tile by tile over the chunk's rows (the tiles in order, so every entry adds its
    /// tiles' float sums into its double in the same order however the bands are split).
    /// </summary>
    private void Bands(ReadOnlySpan<float> left, ReadOnlySpan<float> right, int rows, int stride, bool upperOnly, int tile, int height, int first, int last)
    {
        var n = Size;
        for (var start = 0; start < rows; start += tile)
        {
            var count = Math.Min(tile, rows - start);
            var panel = Math.Max(4, (int)Math.Min(int.MaxValue, (long)panelBytes / (count * sizeof(float))) & ~3);
            for (var from = 0; from < n; from += panel)
            {
                Panel(left, right, stride, upperOnly, height, first, last, start, count, from, Math.Min(n, from + panel));
            }
        }
    }

    /// <summary>Columns [from, to) of bands [first, last) over one tile.</summary>
    private void Panel(ReadOnlySpan<float> left, ReadOnlySpan<float> right, int stride, bool upperOnly, int height, int first, int last, int start, int count, int from, int to)
    {
        var n = Size;
        for (var b = first; b < last; b++)
        {
            var i = b * height;
            if (upperOnly && i >= to)
            {
                break;
            }

            var band = Math.Min(height, n - i);
            var origin = upperOnly ? i : 0;
            if (band < height)
            {
                for (var j = Math.Max(origin, from); j < to; j++)
                {
                    Dots(left, right, stride, start, count, i, band, j);
                }

                continue;
            }

            // The band's blocks start every 4 columns from its origin (2 mod 4 for the 2-row bands of the Vector256 kernel) up to the last whole
            // one: this panel takes the blocks that start in it, which may read up to 3 columns past it, and the last panel the columns after
            // the last block, so every entry is summed as it is without panels.
            var blocksEnd = origin + ((n - origin) / 4 * 4);
            for (var j = from <= origin ? origin : origin + ((from - origin + 3) / 4 * 4); j < to && j < blocksEnd; j += 4)
            {
                if (vector512)
                {
                    Block512(left, right, stride, start, count, i, j);
                }
                else
                {
                    Block(left, right, stride, start, count, i, j);
                }
            }

            for (var j = blocksEnd; to == n && j < n; j++)
            {
                Dots(left, right, stride, start, count, i, band, j);
            }
        }
    }

    private void Dots(ReadOnlySpan<float> left, ReadOnlySpan<float> right, int stride, int start, int count, int i, int band, int j)
    {
        for (var a = i; a < i + band; a++)
        {
            Values[((long)a * Size) + j] += TensorPrimitives.Dot(left.Slice((a * stride) + start, count), right.Slice((j * stride) + start, count));
        }
    }

    private void Block(ReadOnlySpan<float> left, ReadOnlySpan<float> right, int stride, int start, int count, int i, int j)
    {
        ref var l0 = ref Unsafe.AsRef(in left[(i * stride) + start]);
        ref var l1 = ref Unsafe.AsRef(in left[((i + 1) * stride) + start]);
        ref var r0 = ref Unsafe.AsRef(in right[(j * stride) + start]);
        ref var r1 = ref Unsafe.AsRef(in right[((j + 1) * stride) + start]);
        ref var r2 = ref Unsafe.AsRef(in right[((j + 2) * stride) + start]);
        ref var r3 = ref Unsafe.AsRef(in right[((j + 3) * stride) + start]);
        _ = right[((j + 3) * stride) + start + count - 1];
        _ = left[((i + 1) * stride) + start + count - 1];
        var s00 = Vector256<float>.Zero;
        var s01 = Vector256<float>.Zero;
        var s02 = Vector256<float>.Zero;
        var s03 = Vector256<float>.Zero;
        var s10 = Vector256<float>.Zero;
        var s11 = Vector256<float>.Zero;
        var s12 = Vector256<float>.Zero;
        var s13 = Vector256<float>.Zero;
        var r = 0;
        for (; r + Vector256<float>.Count <= count; r += Vector256<float>.Count)
        {
            var offset = (nuint)r;
            var x0 = Vector256.LoadUnsafe(ref l0, offset);
            var x1 = Vector256.LoadUnsafe(ref l1, offset);
            var y = Vector256.LoadUnsafe(ref r0, offset);
            s00 = Vector256.FusedMultiplyAdd(x0, y, s00);
            s10 = Vector256.FusedMultiplyAdd(x1, y, s10);
            y = Vector256.LoadUnsafe(ref r1, offset);
            s01 = Vector256.FusedMultiplyAdd(x0, y, s01);
            s11 = Vector256.FusedMultiplyAdd(x1, y, s11);
            y = Vector256.LoadUnsafe(ref r2, offset);
            s02 = Vector256.FusedMultiplyAdd(x0, y, s02);
            s12 = Vector256.FusedMultiplyAdd(x1, y, s12);
            y = Vector256.LoadUnsafe(ref r3, offset);
            s03 = Vector256.FusedMultiplyAdd(x0, y, s03);
            s13 = Vector256.FusedMultiplyAdd(x1, y, s13);
        }

        float t00 = Vector256.Sum(s00), t01 = Vector256.Sum(s01), t02 = Vector256.Sum(s02), t03 = Vector256.Sum(s03);
        float t10 = Vector256.Sum(s10), t11 = Vector256.Sum(s11), t12 = Vector256.Sum(s12), t13 = Vector256.Sum(s13);
        for (; r < count; r++)
        {
            float x0 = Unsafe.Add(ref l0, r), x1 = Unsafe.Add(ref l1, r);
            float y0 = Unsafe.Add(ref r0, r), y1 = Unsafe.Add(ref r1, r), y2 = Unsafe.Add(ref r2, r), y3 = Unsafe.Add(ref r3, r);
            t00 += x0 * y0;
            t01 += x0 * y1;
            t02 += x0 * y2;
            t03 += x0 * y3;
            t10 += x1 * y0;
            t11 += x1 * y1;
            t12 += x1 * y2;
            t13 += x1 * y3;
        }

        var top = Values.AsSpan((int)(((long)i * Size) + j), 4);
        top[0] += t00;
        top[1] += t01;
        top[2] += t02;
        top[3] += t03;
        var bottom = Values.AsSpan((int)(((long)(i + 1) * Size) + j), 4);
        bottom[0] += t10;
        bottom[1] += t11;
        bottom[2] += t12;
        bottom[3] += t13;
    }

    /// <summary>The 4x4 block of <see cref="Accumulate"/>: rows i..i+3 of L against columns j..j+3 of R over one tile.</summary>
    private void Block512(ReadOnlySpan<float> left, ReadOnlySpan<float> right, int stride, int start, int count, int i, int j)
    {
        _ = right[((j + 3) * stride) + start + count - 1];
        _ = left[((i + 3) * stride) + start + count - 1];
        ref var l0 = ref Unsafe.AsRef(in left[(i * stride) + start]);
        ref var l1 = ref Unsafe.AsRef(in left[((i + 1) * stride) + start]);
        ref var l2 = ref Unsafe.AsRef(in left[((i + 2) * stride) + start]);
        ref var l3 = ref Unsafe.AsRef(in left[((i + 3) * stride) + start]);
        ref var r0 = ref Unsafe.AsRef(in right[(j * stride) + start]);
        ref var r1 = ref Unsafe.AsRef(in right[((j + 1) * stride) + start]);
        ref var r2 = ref Unsafe.AsRef(in right[((j + 2) * stride) + start]);
        ref var r3 = ref Unsafe.AsRef(in right[((j + 3) * stride) + start]);
        Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default, s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<float> s20 = default, s21 = default, s22 = default, s23 = default, s30 = default, s31 = default, s32 = default, s33 = default;
        var r = 0;
        for (; r + Vector512<float>.Count <= count; r += Vector512<float>.Count)
        {
            var offset = (nuint)r;
            var x0 = Vector512.LoadUnsafe(ref l0, offset);
            var x1 = Vector512.LoadUnsafe(ref l1, offset);
            var x2 = Vector512.LoadUnsafe(ref l2, offset);
            var x3 = Vector512.LoadUnsafe(ref l3, offset);
            var y = Vector512.LoadUnsafe(ref r0, offset);
            s00 = Vector512.FusedMultiplyAdd(x0, y, s00);
            s10 = Vector512.FusedMultiplyAdd(x1, y, s10);
            s20 = Vector512.FusedMultiplyAdd(x2, y, s20);
            s30 = Vector512.FusedMultiplyAdd(x3, y, s30);
            y = Vector512.LoadUnsafe(ref r1, offset);
            s01 = Vector512.FusedMultiplyAdd(x0, y, s01);
            s11 = Vector512.FusedMultiplyAdd(x1, y, s11);
            s21 = Vector512.FusedMultiplyAdd(x2, y, s21);
            s31 = Vector512.FusedMultiplyAdd(x3, y, s31);
            y = Vector512.LoadUnsafe(ref r2, offset);
            s02 = Vector512.FusedMultiplyAdd(x0, y, s02);
            s12 = Vector512.FusedMultiplyAdd(x1, y, s12);
            s22 = Vector512.FusedMultiplyAdd(x2, y, s22);
            s32 = Vector512.FusedMultiplyAdd(x3, y, s32);
            y = Vector512.LoadUnsafe(ref r3, offset);
            s03 = Vector512.FusedMultiplyAdd(x0, y, s03);
            s13 = Vector512.FusedMultiplyAdd(x1, y, s13);
            s23 = Vector512.FusedMultiplyAdd(x2, y, s23);
            s33 = Vector512.FusedMultiplyAdd(x3, y, s33);
        }

        Span<float> sums =
        [
            Vector512.Sum(s00), Vector512.Sum(s01), Vector512.Sum(s02), Vector512.Sum(s03),
            Vector512.Sum(s10), Vector512.Sum(s11), Vector512.Sum(s12), Vector512.Sum(s13),
            Vector512.Sum(s20), Vector512.Sum(s21), Vector512.Sum(s22), Vector512.Sum(s23),
            Vector512.Sum(s30), Vector512.Sum(s31), Vector512.Sum(s32), Vector512.Sum(s33),
        ];
        for (; r < count; r++)
        {
            Span<float> x = [Unsafe.Add(ref l0, r), Unsafe.Add(ref l1, r), Unsafe.Add(ref l2, r), Unsafe.Add(ref l3, r)];
            Span<float> y = [Unsafe.Add(ref r0, r), Unsafe.Add(ref r1, r), Unsafe.Add(ref r2, r), Unsafe.Add(ref r3, r)];
            for (var a = 0; a < 4; a++)
            {
                for (var b = 0; b < 4; b++)
                {
                    sums[(a * 4) + b] += x[a] * y[b];
                }
            }
        }

        for (var a = 0; a < 4; a++)
        {
            var target = Values.AsSpan((int)(((long)(i + a) * Size) + j), 4);
            for (var b = 0; b < 4; b++)
            {
                target[b] += sums[(a * 4) + b];
            }
        }
    }

    /// <summary>Divides by the row count, for a cross matrix (no symmetry to restore).</summary>
    public void Normalize()
    {
        var scale = Rows > 0 ? 1.0 / Rows : 1.0;
        System.Numerics.Tensors.TensorPrimitives.Multiply(Values, scale, Values);
    }

    /// <summary>Copies the upper triangle to the lower one and divides by the row count (the scale does not change any solve).</summary>
    public void Symmetrize()
    {
        var n = Size;
        var scale = Rows > 0 ? 1.0 / Rows : 1.0;
        for (var i = 0; i < n; i++)
        {
            for (var j = i; j < n; j++)
            {
                var v = Values[(i * n) + j] * scale;
                Values[(i * n) + j] = v;
                Values[(j * n) + i] = v;
            }
        }
    }

    /// <summary>
    /// v^T H v over the first v.Length rows and columns (a weight row without the bias column reads only the inputs' block):
    /// the squared output a weight row v gives on the calibration rows, or its error when v is a weight change. Reads full
    /// rows, so call it after <see cref="Symmetrize"/>; one vectorized dot product per row.
    /// </summary>
    public double Quadratic(ReadOnlySpan<double> v)
    {
        if (v.Length > Size)
        {
            throw new ArgumentException($"a vector of {v.Length} values does not fit a {Size} x {Size} Gram matrix.", nameof(v));
        }

        var values = Values.AsSpan();
        double sum = 0;
        for (var i = 0; i < v.Length; i++)
        {
            if (v[i] != 0)
            {
                sum += v[i] * TensorPrimitives.Dot(values.Slice(i * Size, v.Length), v);
            }
        }

        return sum;
    }

    /// <summary>Mean of the diagonal: the scale damping is relative to (GPTQ's percdamp).</summary>
    public double MeanDiagonal()
    {
        double sum = 0;
        for (var i = 0; i < Size; i++)
        {
            sum += Values[(i * Size) + i];
        }

        return Size == 0 ? 0 : sum / Size;
    }
}
