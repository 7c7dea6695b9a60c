using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// The double-precision kernel of the solves (<see cref="Cholesky"/>'s factor and triangular inverse, <see cref="ObsSweep"/>'s block
/// update): dot products of rows against rows, four by four, so every loaded vector feeds four fused multiply-adds instead of one and a
/// block of rows is read once per four rows of the other side instead of once per row. Each entry is summed in one order whichever tile
/// it falls in (per chunk of 256 k: the vector lanes of k mod the width, the lanes added pairwise, the tail in k order; then
/// the chunks in order), so the solves give the same bytes on every run; the width is 512 bits on AVX-512 and 256 on AVX2, so the
/// two CPU classes differ in the last bits.
/// </summary>
internal static class DotTiles
{
    /// <summary>k per pass over a tile's rows: 4 rows of 256 doubles (8 KiB) stay in L1.</summary>
    private const int Chunk = 256;

    /// <summary>512-bit vectors where the CPU has them (twice the multiply-adds per instruction); the sums then differ from AVX2's in rounding.</summary>
    private static readonly bool Wide = Vector512.IsHardwareAccelerated;

    private static readonly int Width = Wide ? Vector512<double>.Count : Vector256<double>.Count;

    /// <summary>
    /// result[(i - i0) * resultStride + (j - j0)] = sum over k in [k0, k1) of a[i * aStride + k] * b[j * bStride + k], for i in
    /// [i0, i1) and j in [j0, j1), on the calling thread (splitting these calls over the cores measured slower on a loaded machine:
    /// a factor makes thousands of them, and each waited for a descheduled worker).
    /// </summary>
    public static void Dots(double[] a, int aStride, int i0, int i1, double[] b, int bStride, int j0, int j1, int k0, int k1, double[] result, int resultStride)
    {
        Span<double> tile = stackalloc double[16];
        if (k1 == k0)
        {
            for (var i = i0; i < i1; i++)
            {
                result.AsSpan((int)((long)(i - i0) * resultStride), j1 - j0).Clear();
            }

            return;
        }

        // k in chunks, so the four rows of a tile stay in L1 while the other side's rows stream past them.
        for (var k = k0; k < k1; k += Chunk)
        {
            var count = Math.Min(Chunk, k1 - k);
            for (var i = i0; i < i1; i += 4)
            {
                for (var j = j0; j < j1; j += 4)
                {
                    // A short edge repeats its last row, so every entry is computed by the same code whatever tile it is in.
                    var vector = count - (count % Width);
                    if (vector == 0)
                    {
                        tile.Clear();
                    }
                    else if (Wide)
                    {
                        Tile512(a, aStride, i, i1 - 1, b, bStride, j, j1 - 1, k, vector, tile);
                    }
                    else
                    {
                        Tile256(a, aStride, i, i1 - 1, b, bStride, j, j1 - 1, k, vector, tile);
                    }

                    for (var r = 0; r < 4 && i + r < i1; r++)
                    {
                        for (var c = 0; c < 4 && j + c < j1; c++)
                        {
                            var sum = Tail(tile[(r * 4) + c], ref a[((long)(i + r) * aStride) + k], ref b[((long)(j + c) * bStride) + k], vector, count);
                            ref var entry = ref result[((long)(i + r - i0) * resultStride) + (j - j0) + c];
                            entry = k == k0 ? 0 + sum : entry + sum;
                        }
                    }
                }
            }
        }
    }

    /// <summary>sum over k of x[k] * y[k], in the tiles' order.</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double sum = 0;
        for (var k = 0; k < x.Length; k += Chunk)
        {
            var count = Math.Min(Chunk, x.Length - k);
            ref var xr = ref Unsafe.Add(ref MemoryMarshal.GetReference(x), k);
            ref var yr = ref Unsafe.Add(ref MemoryMarshal.GetReference(y), k);
            sum += Wide ? DotRef512(ref xr, ref yr, count) : DotRef256(ref xr, ref yr, count);
        }

        return sum;
    }

    private static double DotRef256(ref double x, ref double y, int count)
    {
        var s = Vector256<double>.Zero;
        var k = 0;
        for (; k + Vector256<double>.Count <= count; k += Vector256<double>.Count)
        {
            s = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, (nuint)k), Vector256.LoadUnsafe(ref y, (nuint)k), s);
        }

        return Tail(Sum(s), ref x, ref y, k, count);
    }

    private static double DotRef512(ref double x, ref double y, int count)
    {
        var s = Vector512<double>.Zero;
        var k = 0;
        for (; k + Vector512<double>.Count <= count; k += Vector512<double>.Count)
        {
            s = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, (nuint)k), Vector512.LoadUnsafe(ref y, (nuint)k), s);
        }

        return Tail(Sum(s), ref x, ref y, k, count);
    }

    private static void Tile256(double[] a, int aStride, int i, int iLast, double[] b, int bStride, int j, int jLast, int k0, int count, Span<double> tile)
    {
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
        for (; k < count; k += Vector256<double>.Count)
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

        // No call while the sums are live: the JIT would spill all sixteen to the stack on every step of the loop.
        ref var t = ref MemoryMarshal.GetReference(tile);
        Unsafe.Add(ref t, 0) = Sum(s00);
        Unsafe.Add(ref t, 1) = Sum(s01);
        Unsafe.Add(ref t, 2) = Sum(s02);
        Unsafe.Add(ref t, 3) = Sum(s03);
        Unsafe.Add(ref t, 4) = Sum(s10);
        Unsafe.Add(ref t, 5) = Sum(s11);
        Unsafe.Add(ref t, 6) = Sum(s12);
        Unsafe.Add(ref t, 7) = Sum(s13);
        Unsafe.Add(ref t, 8) = Sum(s20);
        Unsafe.Add(ref t, 9) = Sum(s21);
        Unsafe.Add(ref t, 10) = Sum(s22);
        Unsafe.Add(ref t, 11) = Sum(s23);
        Unsafe.Add(ref t, 12) = Sum(s30);
        Unsafe.Add(ref t, 13) = Sum(s31);
        Unsafe.Add(ref t, 14) = Sum(s32);
        Unsafe.Add(ref t, 15) = Sum(s33);
    }

    private static void Tile512(double[] a, int aStride, int i, int iLast, double[] b, int bStride, int j, int jLast, int k0, int count, Span<double> tile)
    {
        ref var a0 = ref a[((long)i * aStride) + k0];
        ref var a1 = ref a[((long)Math.Min(i + 1, iLast) * aStride) + k0];
        ref var a2 = ref a[((long)Math.Min(i + 2, iLast) * aStride) + k0];
        ref var a3 = ref a[((long)Math.Min(i + 3, iLast) * aStride) + k0];
        ref var b0 = ref b[((long)j * bStride) + k0];
        ref var b1 = ref b[((long)Math.Min(j + 1, jLast) * bStride) + k0];
        ref var b2 = ref b[((long)Math.Min(j + 2, jLast) * bStride) + k0];
        ref var b3 = ref b[((long)Math.Min(j + 3, jLast) * bStride) + k0];
        Vector512<double> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector512<double> s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<double> s20 = default, s21 = default, s22 = default, s23 = default;
        Vector512<double> s30 = default, s31 = default, s32 = default, s33 = default;
        var k = 0;
        for (; k < count; k += Vector512<double>.Count)
        {
            var offset = (nuint)k;
            var y0 = Vector512.LoadUnsafe(ref b0, offset);
            var y1 = Vector512.LoadUnsafe(ref b1, offset);
            var y2 = Vector512.LoadUnsafe(ref b2, offset);
            var y3 = Vector512.LoadUnsafe(ref b3, offset);
            var x = Vector512.LoadUnsafe(ref a0, offset);
            s00 = Vector512.FusedMultiplyAdd(x, y0, s00);
            s01 = Vector512.FusedMultiplyAdd(x, y1, s01);
            s02 = Vector512.FusedMultiplyAdd(x, y2, s02);
            s03 = Vector512.FusedMultiplyAdd(x, y3, s03);
            x = Vector512.LoadUnsafe(ref a1, offset);
            s10 = Vector512.FusedMultiplyAdd(x, y0, s10);
            s11 = Vector512.FusedMultiplyAdd(x, y1, s11);
            s12 = Vector512.FusedMultiplyAdd(x, y2, s12);
            s13 = Vector512.FusedMultiplyAdd(x, y3, s13);
            x = Vector512.LoadUnsafe(ref a2, offset);
            s20 = Vector512.FusedMultiplyAdd(x, y0, s20);
            s21 = Vector512.FusedMultiplyAdd(x, y1, s21);
            s22 = Vector512.FusedMultiplyAdd(x, y2, s22);
            s23 = Vector512.FusedMultiplyAdd(x, y3, s23);
            x = Vector512.LoadUnsafe(ref a3, offset);
            s30 = Vector512.FusedMultiplyAdd(x, y0, s30);
            s31 = Vector512.FusedMultiplyAdd(x, y1, s31);
            s32 = Vector512.FusedMultiplyAdd(x, y2, s32);
            s33 = Vector512.FusedMultiplyAdd(x, y3, s33);
        }

        // No call while the sums are live: the JIT would spill all sixteen to the stack on every step of the loop.
        ref var t = ref MemoryMarshal.GetReference(tile);
        Unsafe.Add(ref t, 0) = Sum(s00);
        Unsafe.Add(ref t, 1) = Sum(s01);
        Unsafe.Add(ref t, 2) = Sum(s02);
        Unsafe.Add(ref t, 3) = Sum(s03);
        Unsafe.Add(ref t, 4) = Sum(s10);
        Unsafe.Add(ref t, 5) = Sum(s11);
        Unsafe.Add(ref t, 6) = Sum(s12);
        Unsafe.Add(ref t, 7) = Sum(s13);
        Unsafe.Add(ref t, 8) = Sum(s20);
        Unsafe.Add(ref t, 9) = Sum(s21);
        Unsafe.Add(ref t, 10) = Sum(s22);
        Unsafe.Add(ref t, 11) = Sum(s23);
        Unsafe.Add(ref t, 12) = Sum(s30);
        Unsafe.Add(ref t, 13) = Sum(s31);
        Unsafe.Add(ref t, 14) = Sum(s32);
        Unsafe.Add(ref t, 15) = Sum(s33);
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Sum(Vector512<double> s) => Sum(s.GetLower()) + Sum(s.GetUpper());
}
