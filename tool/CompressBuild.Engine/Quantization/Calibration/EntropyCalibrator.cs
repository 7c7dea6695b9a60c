namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>
/// The clipping threshold whose quantized distribution is closest to the observed one in KL divergence
/// (TensorRT's method) over the |x| histogram: 128 levels for signed data, 256 for data that is never negative.
/// Exact zeros are left out: every range represents them exactly, and kept in, the spike they make in the lowest bin
/// (half a Relu output, or more) is what any merging of bins smears most, so the search always took its narrowest
/// candidate, a quarter of the histogram (the recognizer's int8-static cosine fell to 0.66).
/// </summary>
public sealed class EntropyCalibrator : RangeCalibrator
{
    protected override (float Low, float High) Choose(ActivationHistogram histogram)
    {
        var magnitudes = histogram.Magnitudes();
        magnitudes[0] -= histogram.Zeros;
        var last = magnitudes.Length;
        while (last > 0 && magnitudes[last - 1] == 0)
        {
            last--;
        }

        var levels = histogram.Min >= 0 ? 256 : 128;
        if (last <= levels)
        {
            return (histogram.Min, histogram.Max);
        }

        var best = last;
        var bestDivergence = double.PositiveInfinity;
        var reference = new double[last];
        var candidate = new double[last];
        for (var i = levels; i <= last; i++)
        {
            double outliers = 0;
            for (var k = i; k < last; k++)
            {
                outliers += magnitudes[k];
            }

            for (var k = 0; k < i; k++)
            {
                reference[k] = magnitudes[k];
            }

            reference[i - 1] += outliers;
            Quantize(magnitudes, i, levels, candidate);
            var divergence = Divergence(reference.AsSpan(0, i), candidate.AsSpan(0, i));
            if (divergence < bestDivergence)
            {
                bestDivergence = divergence;
                best = i;
            }
        }

        return Symmetric(histogram, best * histogram.BinWidth);
    }

    /// <summary>Merges the first <paramref name="bins"/> bins into <paramref name="levels"/> groups and spreads each group over its non-empty bins.</summary>
    private static void Quantize(long[] magnitudes, int bins, int levels, double[] result)
    {
        for (var level = 0; level < levels; level++)
        {
            var start = (int)((long)level * bins / levels);
            var end = (int)((long)(level + 1) * bins / levels);
            double sum = 0;
            var nonEmpty = 0;
            for (var k = start; k < end; k++)
            {
                sum += magnitudes[k];
                nonEmpty += magnitudes[k] > 0 ? 1 : 0;
            }

            for (var k = start; k < end; k++)
            {
                result[k] = magnitudes[k] > 0 ? sum / nonEmpty : 0;
            }
        }
    }

    private static double Divergence(ReadOnlySpan<double> p, ReadOnlySpan<double> q)
    {
        double pSum = 0, qSum = 0;
        foreach (var v in p)
        {
            pSum += v;
        }

        foreach (var v in q)
        {
            qSum += v;
        }

        if (pSum == 0 || qSum == 0)
        {
            return double.PositiveInfinity;
        }

        double divergence = 0;
        for (var k = 0; k < p.Length; k++)
        {
            if (p[k] > 0)
            {
                // A reference bin the candidate left empty (the folded-in outliers): smooth it to a small
                // probability, as ONNX Runtime and TensorRT do, rather than an infinite penalty that would
                // forbid clipping any outlier at all.
                var qk = q[k] > 0 ? q[k] / qSum : 1e-4;
                var pk = p[k] / pSum;
                divergence += pk * Math.Log(pk / qk);
            }
        }

        return divergence;
    }
}
