namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>
/// Rounds a tensor's quantization parameters to a power-of-two scale (seed: ALS-PoTQ). Of the two neighbours of the
/// exact scale, 2^floor(log2 s) (finer, may clip the ends) and 2^ceil(log2 s) (coarser, clips nothing new), the one
/// whose quantization error on that tensor's own values is smaller wins; the caller measures that error.
/// </summary>
public static class PowerOfTwoScale
{
    /// <summary>The floor and ceil candidates (equal when the scale already is a power of two), zero points recomputed.</summary>
    public static (QuantParams Floor, QuantParams Ceil) Candidates(QuantParams exact, QuantRange range, bool symmetric)
    {
        var exponent = Math.Log2(exact.Scale);
        var floor = Rescaled(exact, range, symmetric, (float)Math.Pow(2, Math.Floor(exponent)));
        var ceil = Rescaled(exact, range, symmetric, (float)Math.Pow(2, Math.Ceiling(exponent)));
        return (floor, ceil);
    }

    /// <summary>True when <paramref name="scale"/> is an exact power of two (a normal float with a zero mantissa).</summary>
    public static bool IsPowerOfTwo(float scale) => scale > 0 && float.IsNormal(scale) && (BitConverter.SingleToInt32Bits(scale) & 0x7FFFFF) == 0;

    /// <summary>
    /// Activations: the candidate with the smaller squared error over the calibration histogram (each bin at its
    /// centre, weighted by its count). The histogram is what the calibration saw, so this charges the floor its real
    /// clipping and the ceil its real rounding, where "always ceil" would give away a bit on every tensor whose
    /// range just passes a power of two. Values beyond <paramref name="saturation"/> (a reader's saturation point)
    /// are taken at that point: clipping them costs nothing.
    /// </summary>
    public static QuantParams ForHistogram(QuantParams exact, QuantRange range, bool symmetric, ActivationHistogram histogram, QuantRange saturation)
    {
        var (floor, ceil) = Candidates(exact, range, symmetric);
        if (floor == ceil || histogram.Count == 0)
        {
            return ceil;
        }

        var counts = histogram.Counts;
        var width = histogram.BinWidth;
        double floorError = 0, ceilError = 0;
        for (var b = 0; b < counts.Length; b++)
        {
            if (counts[b] == 0)
            {
                continue;
            }

            var center = (float)Math.Clamp(-histogram.Radius + ((b + 0.5) * width), saturation.Low, saturation.High);
            floorError += counts[b] * Squared(floor, center);
            ceilError += counts[b] * Squared(ceil, center);
        }

        return floorError < ceilError ? floor : ceil;
    }

    /// <summary>Weights and constants: the candidate with the smaller squared error over <paramref name="values"/>.</summary>
    public static QuantParams ForValues(QuantParams exact, QuantRange range, bool symmetric, ReadOnlySpan<float> values)
    {
        var (floor, ceil) = Candidates(exact, range, symmetric);
        if (floor == ceil)
        {
            return ceil;
        }

        double floorError = 0, ceilError = 0;
        foreach (var v in values)
        {
            floorError += Squared(floor, v);
            ceilError += Squared(ceil, v);
        }

        return floorError < ceilError ? floor : ceil;
    }

    /// <summary>The squared error quantizing <paramref name="value"/> with <paramref name="parameters"/> adds.</summary>
    public static double Squared(QuantParams parameters, float value)
    {
        var error = ((parameters.Quantize(value) - parameters.ZeroPoint) * (double)parameters.Scale) - value;
        return error * error;
    }

    /// <summary>
    /// A symmetric zero point stays where it is (the grid's middle); an asymmetric one is recomputed for the new
    /// scale so 0 stays exact and the range's low end lands as near its place as the integer grid allows.
    /// </summary>
    private static QuantParams Rescaled(QuantParams exact, QuantRange range, bool symmetric, float scale)
    {
        if (symmetric)
        {
            return exact with { Scale = scale };
        }

        double low = Math.Min(0f, range.Low);
        var zero = (int)Math.Clamp(Math.Round(exact.QMin - (low / scale), MidpointRounding.ToEven), exact.QMin, exact.QMax);
        return exact with { Scale = scale, ZeroPoint = zero };
    }
}
