using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>
/// A running, fixed-size summary of one activation: exact minimum and maximum plus a 2048-bin histogram over
/// [-R, R]. When a value falls outside, R doubles and neighbouring bins merge pairwise, which keeps every bin
/// edge exact; memory stays the same however many samples are added, and the result does not depend on
/// anything but the order of the samples.
/// </summary>
public sealed class ActivationHistogram
{
    public const int BinCount = 2048;

    /// <summary>Values binned per vectorized step: one 4 KiB stack buffer.</summary>
    private const int Chunk = 1024;

    /// <summary>Independent counter copies the binning loop rotates through, so runs of one value (the zeros after a Relu) do not serialize on one counter.</summary>
    private const int Lanes = 4;

    /// <summary>Values the lanes may take before they are folded into <see cref="counts"/>; keeps every 32-bit lane counter from overflowing.</summary>
    private const long MaxPending = 1L << 31;

    private readonly long[] counts = new long[BinCount];

    /// <summary>
    /// Each lane has one slot past the last bin: a value at exactly +R scales to <see cref="BinCount"/>, and counting it
    /// there (then folding it into the top bin) spares the binning loop a clamp. |v| &lt;= R makes every other slot unreachable.
    /// </summary>
    private const int LaneLength = BinCount + 1;

    private readonly uint[] lanes = new uint[Lanes * LaneLength];

    private long pending;

    public float Min { get; private set; } = float.PositiveInfinity;

    public float Max { get; private set; } = float.NegativeInfinity;

    /// <summary>Half-width of the histogram's range; 0 until a non-zero value was seen.</summary>
    public double Radius { get; private set; }

    public long Count { get; private set; }

    /// <summary>
    /// How many values were exactly 0 (the Relu floor, HardSwish below -3): quantization represents them exactly whatever the
    /// range, so a method that weighs how well the range represents the values (entropy) must leave them out.
    /// </summary>
    public long Zeros { get; private set; }

    public bool HasNonFinite { get; private set; }

    public ReadOnlySpan<long> Counts
    {
        get
        {
            Flush();
            return counts;
        }
    }

    public double BinWidth => Radius * 2 / BinCount;

    public void Add(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty)
        {
            return;
        }

        var (min, max, zeros) = MinMax(values);
        if (!float.IsFinite(min) || !float.IsFinite(max))
        {
            HasNonFinite = true;
            return;
        }

        Zeros += zeros;
        Min = Math.Min(Min, min);
        Max = Math.Max(Max, max);
        var reach = Math.Max(Math.Abs((double)min), Math.Abs((double)max));
        if (Radius == 0 && reach > 0)
        {
            // Zeros seen so far sit in the middle bin whatever the radius, so they need no re-binning.
            Radius = reach;
        }

        while (reach > Radius)
        {
            Widen();
        }

        var radius = Radius == 0 ? 1 : Radius;
        var perUnit = (float)(BinCount / (2 * radius));
        Span<int> bins = stackalloc int[Chunk];
        for (var start = 0; start < values.Length; start += Chunk)
        {
            var part = values.Slice(start, Math.Min(Chunk, values.Length - start));
            var b = bins[..part.Length];
            ToBins(part, perUnit, b);
            CountBins(b);
        }

        Count += values.Length;
    }

    /// <summary>
    /// bin = floor(v / width) + BinCount / 2 (v * perUnit, then + BinCount / 2, each rounded to float, then truncated), a vector at a time.
    /// Our own loop rather than TensorPrimitives': this method is compiled optimized on its first call (a calibration runs it
    /// a few thousand times, too few for tiered compilation to promote a library's generic SIMD code on a loaded machine, which
    /// made binning 3-4x slower in a fresh process).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ToBins(ReadOnlySpan<float> values, float perUnit, Span<int> bins)
    {
        var scale = new Vector<float>(perUnit);
        var half = new Vector<float>(BinCount / 2f);
        var i = 0;
        for (; i + Vector<float>.Count <= values.Length; i += Vector<float>.Count)
        {
            Vector.ConvertToInt32((new Vector<float>(values[i..]) * scale) + half).CopyTo(bins[i..]);
        }

        for (; i < values.Length; i++)
        {
            bins[i] = (int)((values[i] * perUnit) + (BinCount / 2f));
        }
    }

    /// <summary>
    /// Minimum, maximum and the count of exact zeros in one SIMD pass (the data is read from memory once, not once per
    /// statistic); a NaN anywhere makes both NaN, as TensorPrimitives.Min would.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (float Min, float Max, long Zeros) MinMax(ReadOnlySpan<float> values)
    {
        var min = float.PositiveInfinity;
        var max = float.NegativeInfinity;
        long zeros = 0;
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
        var tail = vectors.Length * Vector<float>.Count;
        if (vectors.Length > 0)
        {
            var low = vectors[0];
            var high = vectors[0];
            var ordered = Vector<int>.AllBitsSet;

            // Each lane counts down by one per zero (Equals gives -1); an int lane cannot overflow on a span of int.MaxValue floats.
            var zeroLanes = Vector<int>.Zero;
            foreach (var v in vectors)
            {
                zeroLanes += Vector.Equals(v, Vector<float>.Zero);
                low = Vector.MinNative(low, v);
                high = Vector.MaxNative(high, v);
                ordered &= Vector.Equals(v, v);
            }

            if (ordered != Vector<int>.AllBitsSet)
            {
                return (float.NaN, float.NaN, 0);
            }

            zeros = -(long)Vector.Sum(zeroLanes);

            for (var k = 0; k < Vector<float>.Count; k++)
            {
                min = Math.Min(min, low[k]);
                max = Math.Max(max, high[k]);
            }
        }

        foreach (var v in values[tail..])
        {
            if (float.IsNaN(v))
            {
                return (float.NaN, float.NaN, 0);
            }

            zeros += v == 0 ? 1 : 0;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        return (min, max, zeros);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CountBins(ReadOnlySpan<int> bins)
    {
        if (pending + bins.Length > MaxPending)
        {
            Flush();
        }

        pending += bins.Length;
        var lane0 = lanes.AsSpan(0, LaneLength);
        var lane1 = lanes.AsSpan(LaneLength, LaneLength);
        var lane2 = lanes.AsSpan(2 * LaneLength, LaneLength);
        var lane3 = lanes.AsSpan(3 * LaneLength, LaneLength);
        var i = 0;
        for (; i + Lanes <= bins.Length; i += Lanes)
        {
            lane0[bins[i]]++;
            lane1[bins[i + 1]]++;
            lane2[bins[i + 2]]++;
            lane3[bins[i + 3]]++;
        }

        for (; i < bins.Length; i++)
        {
            lane0[bins[i]]++;
        }
    }

    /// <summary>Folds the lane counters into <see cref="counts"/>.</summary>
    private void Flush()
    {
        if (pending == 0)
        {
            return;
        }

        for (var lane = 0; lane < Lanes; lane++)
        {
            var counters = lanes.AsSpan(lane * LaneLength, LaneLength);
            for (var j = 0; j < BinCount; j++)
            {
                counts[j] += counters[j];
            }

            counts[BinCount - 1] += counters[BinCount];

            counters.Clear();
        }

        pending = 0;
    }

    /// <summary>The histogram of |x|: BinCount / 2 bins of <see cref="BinWidth"/> from 0.</summary>
    public long[] Magnitudes()
    {
        Flush();
        var half = BinCount / 2;
        var result = new long[half];
        for (var i = 0; i < half; i++)
        {
            result[i] = counts[half + i] + counts[half - 1 - i];
        }

        return result;
    }

    private void Widen()
    {
        Flush();
        var quarter = BinCount / 4;
        var merged = new long[BinCount];
        for (var j = 0; j < BinCount / 2; j++)
        {
            merged[quarter + j] = counts[2 * j] + counts[(2 * j) + 1];
        }

        merged.CopyTo(counts, 0);
        Radius *= 2;
    }
}
