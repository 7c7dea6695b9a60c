namespace CompressBuild.Engine.Evaluation;

/// <summary>
/// Paired percentile bootstrap of the ratio of medians. Pairs are resampled together: a reference run and the
/// candidate run next to it saw the same machine state, so noise that hits both cancels in the ratio.
/// </summary>
public static class BootstrapInterval
{
    public static SpeedupEstimate MedianRatio(IReadOnlyList<double> reference, IReadOnlyList<double> candidate, int count, int resamples, double level, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 10);
        var a = new double[count];
        var b = new double[count];
        for (var i = 0; i < count; i++)
        {
            a[i] = reference[i];
            b[i] = candidate[i];
        }

        var estimate = Median(a) / Median(b);
        var random = new Random(seed);
        var ratios = new double[resamples];
        for (var r = 0; r < resamples; r++)
        {
            for (var i = 0; i < count; i++)
            {
                var pick = random.Next(count);
                a[i] = reference[pick];
                b[i] = candidate[pick];
            }

            ratios[r] = Median(a) / Median(b);
        }

        Array.Sort(ratios);
        var tail = (1 - level) / 2;
        return new SpeedupEstimate(estimate, LatencyStatistics.Percentile(ratios, tail), LatencyStatistics.Percentile(ratios, 1 - tail), level);
    }

    /// <summary>Median by selection (reorders <paramref name="values"/>): O(n), where sorting every resample would dominate.</summary>
    internal static double Median(double[] values)
    {
        var n = values.Length;
        var upper = Select(values, n / 2);
        return n % 2 == 1 ? upper : (upper + MaxBelow(values, n / 2)) / 2;
    }

    // After Select(k) every element before index k is <= values[k]; the lower middle is the largest of them.
    private static double MaxBelow(double[] values, int k)
    {
        var max = values[0];
        for (var i = 1; i < k; i++)
        {
            max = Math.Max(max, values[i]);
        }

        return max;
    }

    private static double Select(double[] values, int k)
    {
        int left = 0, right = values.Length - 1;
        while (left < right)
        {
            var pivot = values[left + ((right - left) / 2)];
            int i = left, j = right;
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }

                while (values[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            if (k <= j)
            {
                right = j;
            }
            else if (k >= i)
            {
                left = i;
            }
            else
            {
                break;
            }
        }

        return values[k];
    }
}
