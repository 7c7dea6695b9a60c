using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// The double-precision kernel of the solves (<see cref="Cholesky"/>'s factor and triangular inverse, <see cref="ObsSweep"/>'s block
/// update): dot products of rows against rows, four by four, so every loaded vector feeds four fused multiply-adds instead of one and a
/// block of rows is read once per four rows of the other side instead of once per row. Vector256 on every CPU, so each entry is summed
/// in one order (four lanes of k mod 4, then (lane 0 + lane 1) + (lane 2 + lane 3), then the tail in k order) on AVX2 and AVX-512
/// alike, whichever tile or thread it falls in: the solves give the same bytes on both.
/// </summary>
internal static class DotTiles
{
    /// <summary>Below this many multiply-adds a call stays on the calling thread.</summary>
    public const long ParallelWork = 1L << 21;

    /// <summary>
    /// result[(i - i0) * resultStride + (j - j0)] = sum over k in [k0, k1) of a[i * aStride + k] * b[j * bStride + k], for i in
    /// [i0, i1) and j in [j0, j1); with <paramref name="parallel"/> the rows of <paramref name="a"/> split over the cores when the work is large.
    /// </summary>
    public static void Dots(double[] a, int aStride, int i0, int i1, double[] b, int bStride, int j0, int j1, int k0, int k1, double[] result, int resultStride, bool parallel)
    {
        var tiles = (i1 - i0 + 3) / 4;
        if (!parallel || (long)(i1 - i0) * (j1 - j0) * (k1 - k0) < ParallelWork || tiles < 2)
        {
            DotRows(a, aStride, i0, i1, b, bStride, j0, j1, k0, k1, result, resultStride, i0);
            return;
        }

        Parallel.For(0, tiles, t =>
        {
            var i = i0 + (4 * t);
            DotRows(a, aStride, i, Math.Min(i + 4, i1), b, bStride, j0, j1, k0, k1, result, resultStride, i0);
        });
    }

    /// <summary>sum over k of x[k] * y[k], in the tiles' order.</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        x.Length == 0 ? 0 : DotRef(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), x.Length);

    private static double DotRef(ref double x, ref double y, int count)
    {
        var s = Vector256<double>.Zero;
        var k = 0;
        for (; k + 4 <= count; k += 4)
        {
            s = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, (nuint)k), Vector256.LoadUnsafe(ref y, (nuint)k), s);
        }

        var sum = Sum(s);
        for (; k < count; k++)
        {
            sum = Math.FusedMultiplyAdd(Unsafe.Add(ref x, k), Unsafe.Add(ref y, k), sum);
        }

        return sum;
    }

    private static void DotRows(double[] a, int aStride, int i0, int i1, double[] b, int bStride, int j0, int j1, int k0, int k1, double[] result, int resultStride, int resultRow)
    {
        Span<double> tile = stackalloc double[16];
        for (var i = i0; i < i1; i += 4)
        {
            for (var j = j0; j < j1; j += 4)
            {
                // A short edge repeats its last row, so every entry is computed by the same code whatever tile it is in.
                Tile(a, aStride, i, i1 - 1, b, bStride, j, j1 - 1, k0, k1 - k0, tile);
                for (var r = 0; r < 4 && i + r < i1; r++)
                {
                    for (var c = 0; c < 4 && j + c < j1; c++)
                    {
                        result[((long)(i + r - resultRow) * resultStride) + (j - j0) + c] = tile[(r * 4) + c];
                    }
                }
            }
        }
    }

    private static void Tile(double[] a, int aStride, int i, int iLast, double[] b, int bStride, int j, int jLast, int k0, int count, Span<double> tile)
    {
        if (count == 0)
        {
            tile.Clear();
            return;
        }

        ref var a0 = ref a[((long)i * aStride) + k0];
        ref var a1 = ref a[((long)Math.Min(i + 1, iLast) * aStride) + k0];
        ref var a2 = ref a[((long)Math.Min(i + 2, iLast) * aStride) + k0];
        ref var a3 = ref a[((long)Math.Min(i + 3, iLast) * aStride) + k0];
        ref var b0 = ref b[((long)j * bStride) + k0];
        ref var b1 = ref b[((long)Math.Min(j + 1, jLast) * bStride) + k0];
        ref var b2 = ref b[((long)Math.Min(j + 2, jLast) * bStride) + k0];
        ref var b3 = ref b[((long)Math.Min(j + 3, jLast) * bStride) + k0];
        Vector256<double> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector256<double> s10 = default, s11 = default, s12 = default, s13 = default;
        Vector256<double> s20 = default, s21 = default, s22 = default, s23 = default;
        Vector256<double> s30 = default, s31 = default, s32 = default, s33 = default;
        var k = 0;
        for (; k + 4 <= count; k += 4)
        {
            var offset = (nuint)k;
            var y0 = Vector256.LoadUnsafe(ref b0, offset);
            var y1 = Vector256.LoadUnsafe(ref b1, offset);
            var y2 = Vector256.LoadUnsafe(ref b2, offset);
            var y3 = Vector256.LoadUnsafe(ref b3, offset);
            var x = Vector256.LoadUnsafe(ref a0, offset);
            s00 = Vector256.FusedMultiplyAdd(x, y0, s00);
            s01 = Vector256.FusedMultiplyAdd(x, y1, s01);
            s02 = Vector256.FusedMultiplyAdd(x, y2, s02);
            s03 = Vector256.FusedMultiplyAdd(x, y3, s03);
            x = Vector256.LoadUnsafe(ref a1, offset);
            s10 = Vector256.FusedMultiplyAdd(x, y0, s10);
            s11 = Vector256.FusedMultiplyAdd(x, y1, s11);
            s12 = Vector256.FusedMultiplyAdd(x, y2, s12);
            s13 = Vector256.FusedMultiplyAdd(x, y3, s13);
            x = Vector256.LoadUnsafe(ref a2, offset);
            s20 = Vector256.FusedMultiplyAdd(x, y0, s20);
            s21 = Vector256.FusedMultiplyAdd(x, y1, s21);
            s22 = Vector256.FusedMultiplyAdd(x, y2, s22);
            s23 = Vector256.FusedMultiplyAdd(x, y3, s23);
            x = Vector256.LoadUnsafe(ref a3, offset);
            s30 = Vector256.FusedMultiplyAdd(x, y0, s30);
            s31 = Vector256.FusedMultiplyAdd(x, y1, s31);
            s32 = Vector256.FusedMultiplyAdd(x, y2, s32);
            s33 = Vector256.FusedMultiplyAdd(x, y3, s33);
        }

        tile[0] = Tail(Sum(s00), ref a0, ref b0, k, count);
        tile[1] = Tail(Sum(s01), ref a0, ref b1, k, count);
        tile[2] = Tail(Sum(s02), ref a0, ref b2, k, count);
        tile[3] = Tail(Sum(s03), ref a0, ref b3, k, count);
        tile[4] = Tail(Sum(s10), ref a1, ref b0, k, count);
        tile[5] = Tail(Sum(s11), ref a1, ref b1, k, count);
        tile[6] = Tail(Sum(s12), ref a1, ref b2, k, count);
        tile[7] = Tail(Sum(s13), ref a1, ref b3, k, count);
        tile[8] = Tail(Sum(s20), ref a2, ref b0, k, count);
        tile[9] = Tail(Sum(s21), ref a2, ref b1, k, count);
        tile[10] = Tail(Sum(s22), ref a2, ref b2, k, count);
        tile[11] = Tail(Sum(s23), ref a2, ref b3, k, count);
        tile[12] = Tail(Sum(s30), ref a3, ref b0, k, count);
        tile[13] = Tail(Sum(s31), ref a3, ref b1, k, count);
        tile[14] = Tail(Sum(s32), ref a3, ref b2, k, count);
        tile[15] = Tail(Sum(s33), ref a3, ref b3, k, count);
    }

    private static double Tail(double sum, ref double x, ref double y, int k, int count)
    {
        for (; k < count; k++)
        {
            sum = Math.FusedMultiplyAdd(Unsafe.Add(ref x, k), Unsafe.Add(ref y, k), sum);
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Sum(Vector256<double> s) => (s.GetElement(0) + s.GetElement(1)) + (s.GetElement(2) + s.GetElement(3));
}
