using System.Numerics.Tensors;

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

    private readonly long[] counts = new long[BinCount];

    public float Min { get; private set; } = float.PositiveInfinity;

    public float Max { get; private set; } = float.NegativeInfinity;

    /// <summary>Half-width of the histogram's range; 0 until a non-zero value was seen.</summary>
    public double Radius { get; private set; }

    public long Count { get; private set; }

    public bool HasNonFinite { get; private set; }

    public ReadOnlySpan<long> Counts => counts;

    public double BinWidth => Radius * 2 / BinCount;

    public void Add(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty)
        {
            return;
        }

        var min = TensorPrimitives.Min(values);
        var max = TensorPrimitives.Max(values);
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
        var perUnit = BinCount / (2 * radius);
        foreach (var v in values)
        {
            var bin = (int)((v + radius) * perUnit);
            counts[Math.Clamp(bin, 0, BinCount - 1)]++;
        }

        Count += values.Length;
    }

    /// <summary>The histogram of |x|: BinCount / 2 bins of <see cref="BinWidth"/> from 0.</summary>
    public long[] Magnitudes()
    {
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
