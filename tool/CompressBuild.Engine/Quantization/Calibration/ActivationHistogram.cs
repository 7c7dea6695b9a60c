using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>
/// A running, fixed-size summary of one activation: exact minimum and maximum, a 2048-bin histogram over [-R, R] when a
/// method needs the whole distribution (<see cref="Binned"/>), and, when planned, the exact largest |x| a percentile needs
/// (<see cref="MagnitudeTail"/>). When a value falls outside, R doubles and neighbouring bins merge pairwise, which keeps
/// every bin edge exact; memory stays the same however many samples are added, and the result does not depend on
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

    /// <summary>The percentile the tail is planned for, with the number of samples to come; null: no tail.</summary>
    private readonly (double Percentile, long Samples)? tailPlan;

    private MagnitudeTail? tail;

    /// <summary>A full histogram, as every method can read.</summary>
    public ActivationHistogram()
    {
        Binned = true;
    }

    /// <summary>
    /// A summary planned for <paramref name="samples"/> samples: the exact tail of |x| that <paramref name="percentile"/> needs
    /// (sized on the first sample, assuming every sample is as large), and the histogram only when <paramref name="binned"/>
    /// or when that tail would hold more than <see cref="MaxTail"/> values (a low percentile over many values).
    /// </summary>
    internal ActivationHistogram(bool binned, double percentile, long samples)
    {
        Binned = binned;
        tailPlan = (percentile, samples);
    }

    /// <summary>The most values a tail may hold (its buffer twice that): 64 KiB per activation, whatever the number of samples.</summary>
    internal const int MaxTail = 8192;

    /// <summary>Whether the 2048-bin histogram is kept (<see cref="Counts"/>, <see cref="Magnitudes"/>); mse, entropy and power-of-two scales need it.</summary>
    public bool Binned { get; private set; }

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
            RequireBins();
            Flush();
            return counts;
        }
    }

    public double BinWidth => Radius * 2 / BinCount;

    /// <summary>The first non-zero radius; every later one is it times a power of two.</summary>
    internal double FirstRadius { get; private set; }

    /// <summary>
    /// The upper edge of the bin the histogram counts a magnitude in: the bin it falls in, except a magnitude equal to a radius
    /// the histogram had, which was counted in the top bin then (the slot past the last bin folds into it) and so one bin lower.
    /// </summary>
    internal double UpperBinEdge(float magnitude)
    {
        var width = BinWidth;
        var multiple = magnitude / FirstRadius;
        var wasRadius = multiple >= 1 && magnitude <= Radius && multiple == Math.Pow(2, Math.Round(Math.Log2(multiple)));
        return wasRadius ? magnitude : (Math.Floor(magnitude / width) + 1) * width;
    }

    /// <summary>
    /// The exact value the percentile method clips |x| at: the smallest magnitude with at least <paramref name="percentile"/>%
    /// of all values at or below it (the histogram gives the upper edge of that value's bin). False when no tail was planned,
    /// or the tail no longer holds that rank (a percentile lower than planned, or later samples larger than the first).
    /// </summary>
    public bool TryMagnitudePercentile(double percentile, out float value)
    {
        value = 0;
        if (tail is null || Count == 0)
        {
            return false;
        }

        // The same rank the histogram's cumulative count reaches first: the smallest r with r >= Count * percentile / 100.
        var rank = (long)Math.Clamp(Math.Ceiling(Count * percentile / 100.0), 1, Count);
        return tail.TryLargest(Count - rank + 1, out value);
    }

    /// <summary>Whether this summary answers a method that needs the histogram (<paramref name="bins"/>) or, without it, the percentile.</summary>
    internal bool Serves(bool bins, double percentile) => Binned || (!bins && TryMagnitudePercentile(percentile, out _));

    public void Add(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty)
        {
            return;
        }

        if (tailPlan is { } plan && Count == 0 && tail is null)
        {
            PlanTail(plan.Percentile, plan.Samples * values.Length);
        }

        var (min, max, zeros) = MinMax(values, tail);
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
            FirstRadius = reach;
        }

        while (reach > Radius)
        {
            Widen();
        }

        if (!Binned)
        {
            Count += values.Length;
            return;
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
    /// statistic), and, with a tail, whether any |x| passes its threshold: only the chunks where one does are offered to it.
    /// A NaN anywhere makes both NaN, as TensorPrimitives.Min would.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (float Min, float Max, long Zeros) MinMax(ReadOnlySpan<float> values, MagnitudeTail? tail)
    {
        var min = float.PositiveInfinity;
        var max = float.NegativeInfinity;
        long zeros = 0;
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
        var rest = vectors.Length * Vector<float>.Count;
        if (vectors.Length > 0)
        {
            var low = vectors[0];
            var high = vectors[0];
            var ordered = Vector<int>.AllBitsSet;
            var zeroLanes = Vector<int>.Zero;
            var chunk = Chunk / Vector<float>.Count;
            for (var start = 0; start < vectors.Length; start += chunk)
            {
                var part = vectors.Slice(start, Math.Min(chunk, vectors.Length - start));
                if (Summarize(part, tail?.Threshold ?? float.PositiveInfinity, ref low, ref high, ref ordered, ref zeroLanes))
                {
                    tail!.Offer(MemoryMarshal.Cast<Vector<float>, float>(part));
                }
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

        foreach (var v in values[rest..])
        {
            if (float.IsNaN(v))
            {
                return (float.NaN, float.NaN, 0);
            }

            zeros += v == 0 ? 1 : 0;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        tail?.Offer(values[rest..]);
        return (min, max, zeros);
    }

    /// <summary>
    /// Folds one chunk into the lane-wise minimum, maximum, not-NaN mask and negated zero count; true when some |x| in it is above
    /// <paramref name="threshold"/>. Its own method, with the four copied into locals: inlined into <see cref="MinMax"/>, whose loop
    /// calls the tail, the JIT kept the four on the stack and stored and reloaded each of them on every vector (a chain of
    /// store-to-load latencies that made the pass several times slower than reading the values).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static bool Summarize(ReadOnlySpan<Vector<float>> part, float threshold,
        ref Vector<float> lowest, ref Vector<float> highest, ref Vector<int> allOrdered, ref Vector<int> zeroCounts)
    {
        var low = lowest;
        var high = highest;
        var ordered = allOrdered;

        // Each lane counts down by one per zero (Equals gives -1); an int lane cannot overflow on a span of int.MaxValue floats.
        var zeroLanes = zeroCounts;
        var limit = new Vector<float>(threshold);
        var above = Vector<int>.Zero;
        foreach (var v in part)
        {
            zeroLanes += Vector.Equals(v, Vector<float>.Zero);
            low = Vector.MinNative(low, v);
            high = Vector.MaxNative(high, v);
            ordered &= Vector.Equals(v, v);
            above |= Vector.GreaterThan(Vector.Abs(v), limit);
        }

        (lowest, highest, allOrdered, zeroCounts) = (low, high, ordered, zeroLanes);
        return above != Vector<int>.Zero;
    }

    /// <summary>
    /// Sizes the tail for <paramref name="expected"/> values: the percentile's rank counted from the top, or no tail and the
    /// histogram instead when that is more than <see cref="MaxTail"/>.
    /// </summary>
    private void PlanTail(double percentile, long expected)
    {
        var rank = (long)Math.Clamp(Math.Ceiling(expected * percentile / 100.0), 1, expected);
        var keep = expected - rank + 1;
        if (keep > MaxTail)
        {
            Binned = true;
            return;
        }

        tail = new MagnitudeTail((int)keep);
    }

    private void RequireBins()
    {
        if (!Binned)
        {
            throw new InvalidOperationException("this activation was summarized without its histogram (only the tail a percentile needs).");
        }
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
        RequireBins();
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
