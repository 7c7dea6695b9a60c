namespace CompressBuild.Engine.Quantization.Split;

/// <summary>
/// SplitQuant's clustering (Song et al. 2024): 1-D k-means with k = 3 over a layer's weights, started from the minimum,
/// the mean and the maximum (deterministic), giving lower outliers, the middle, and upper outliers. On sorted values
/// each cluster is a contiguous run, so Lloyd's steps only move two cut points (prefix sums give every mean at once).
/// </summary>
public static class WeightClusters
{
    private const int MaxSteps = 100;

    /// <summary>The two cut points: a value v is in the lower cluster when v &lt; Low, the upper when v &gt; High, else the middle; null when a cluster would be empty.</summary>
    public static (float Low, float High)? Thresholds(ReadOnlySpan<float> weights)
    {
        if (weights.Length < 3)
        {
            return null;
        }

        var sorted = weights.ToArray();
        Array.Sort(sorted);
        var n = sorted.Length;
        var prefix = new double[n + 1];
        for (var i = 0; i < n; i++)
        {
            prefix[i + 1] = prefix[i] + sorted[i];
        }

        double c0 = sorted[0], c1 = prefix[n] / n, c2 = sorted[^1];
        if (!(c0 < c1 && c1 < c2))
        {
            return null;
        }

        int a = 0, b = 0;
        for (var step = 0; step < MaxSteps; step++)
        {
            // a = first index of the middle run, b = first index of the upper run.
            var na = UpperBound(sorted, (c0 + c1) / 2);
            var nb = UpperBound(sorted, (c1 + c2) / 2);
            if (na == 0 || nb <= na || nb == n)
            {
                return null;
            }

            if (step > 0 && na == a && nb == b)
            {
                break;
            }

            (a, b) = (na, nb);
            c0 = prefix[a] / a;
            c1 = (prefix[b] - prefix[a]) / (b - a);
            c2 = (prefix[n] - prefix[b]) / (n - b);
        }

        // The middle run's first and last values: equal values always share a run, so these classify every weight as the runs do.
        return (sorted[a], sorted[b - 1]);
    }

    /// <summary>Which cluster (0 lower, 1 middle, 2 upper) a weight falls in.</summary>
    public static int Of(float value, (float Low, float High) thresholds) => value < thresholds.Low ? 0 : value > thresholds.High ? 2 : 1;

    private static int UpperBound(float[] sorted, double value)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (sorted[mid] <= value)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }
}
