using System.Numerics;
using System.Numerics.Tensors;
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

    /// <summary>Values binned per vectorized step: two 4 KiB stack buffers.</summary>
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

    /// <summary>
    /// BinCount / 2 repeated: the offset that moves -R to bin 0, as the span
    /// <see cref="TensorPrimitives.MultiplyAdd(ReadOnlySpan{float}, float, ReadOnlySpan{float}, Span{float})"/> takes.
    /// </summary>
    private static readonly float[] HalfBins = Enumerable.Repeat(BinCount / 2f, Chunk).ToArray();

    private readonly uint[] lanes = new uint[Lanes * LaneLength];

    private long pending;

    public float Min { get; private set; } = float.PositiveInfinity;

    public float Max { get; private set; } = float.NegativeInfinity;

    /// <summary>Half-width of the histogram's range; 0 until a non-zero value was seen.</summary>
    public double Radius { get; private set; }

    public long Count { get; private set; }

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

        var (min, max) = MinMax(values);
        if (!float.IsFinite(min) || !float.IsFinite(max))
        {
            HasNonFinite = true;
            return;
        }

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
        Span<float> scaled = stackalloc float[Chunk];
        Span<int> bins = stackalloc int[Chunk];
        for (var start = 0; start < values.Length; start += Chunk)
        {
            // bin = floor(v / width) + BinCount / 2, computed a chunk at a time with SIMD; only the counting is scalar.
            var part = values.Slice(start, Math.Min(Chunk, values.Length - start));
            var x = scaled[..part.Length];
            TensorPrimitives.MultiplyAdd(part, perUnit, HalfBins.AsSpan(0, part.Length), x);
            var b = bins[..part.Length];
            TensorPrimitives.ConvertTruncating(x, b);
            CountBins(b);
        }

        Count += values.Length;
    }

    /// <summary>
    /// Minimum and maximum in one SIMD pass (the data is read from memory once, not once per statistic); a NaN anywhere
    /// makes both NaN, as <see cref="TensorPrimitives.Min{T}(ReadOnlySpan{T})"/> would.
    /// </summary>
    private static (float Min, float Max) MinMax(ReadOnlySpan<float> values)
    {
        var min = float.PositiveInfinity;
        var max = float.NegativeInfinity;
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
        var tail = vectors.Length * Vector<float>.Count;
        if (vectors.Length > 0)
        {
            var low = vectors[0];
            var high = vectors[0];
            var ordered = Vector<int>.AllBitsSet;
            foreach (var v in vectors)
            {
                low = Vector.MinNative(low, v);
                high = Vector.MaxNative(high, v);
                ordered &= Vector.Equals(v, v);
            }

            if (ordered != Vector<int>.AllBitsSet)
            {
                return (float.NaN, float.NaN);
            }

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
                return (float.NaN, float.NaN);
            }

            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        return (min, max);
    }

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
