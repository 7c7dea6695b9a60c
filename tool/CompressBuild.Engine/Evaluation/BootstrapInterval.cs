namespace CompressBuild.Engine.Evaluation;

/// <summary>
/// Paired moving-block percentile bootstrap of the speedup. Pairs are resampled together: a reference run and the candidate
/// run next to it saw the same machine state, so noise that hits both cancels in the ratio. The location of each
/// side is the interquartile mean (mean of the middle half of the runs): as robust to outliers as the median, but
/// not stuck on the clock's ticks, which made a median ratio and its interval move in steps of a tick.
/// </summary>
public static class BootstrapInterval
{
    public static SpeedupEstimate Ratio(IReadOnlyList<double> reference, IReadOnlyList<double> candidate, int count, int resamples, double level, int seed)
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

        var estimate = InterquartileMean(a) / InterquartileMean(b);
        var random = new Random(seed);
        var ratios = new double[resamples];
        // Moving blocks of consecutive pairs keep the time correlation of the noise (a busy second slows many
        // runs in a row); resampling single pairs would treat them as independent and give too narrow an interval.
        var block = Math.Max(1, (int)Math.Ceiling(Math.Cbrt(count)));
        for (var r = 0; r < resamples; r++)
        {
            for (var i = 0; i < count;)
            {
                var start = random.Next(count - block + 1);
                for (var j = 0; j < block && i < count; j++, i++)
                {
                    a[i] = reference[start + j];
                    b[i] = candidate[start + j];
                }
            }

            ratios[r] = InterquartileMean(a) / InterquartileMean(b);
        }

        Array.Sort(ratios);
        var tail = (1 - level) / 2;
        return new SpeedupEstimate(estimate, LatencyStatistics.Percentile(ratios, tail), LatencyStatistics.Percentile(ratios, 1 - tail), level);
    }

    /// <summary>Mean of the middle half (ranks n/4 to n - n/4), by two selections (reorders <paramref name="values"/>).</summary>
    internal static double InterquartileMean(double[] values)
    {
        var n = values.Length;
        var low = n / 4;
        var high = n - low;
        Select(values, low, 0, n - 1);
        if (high < n)
        {
            Select(values, high, low, n - 1);
        }

        var sum = 0.0;
        for (var i = low; i < high; i++)
        {
            sum += values[i];
        }

        return sum / (high - low);
    }

    /// <summary>Median by selection (reorders <paramref name="values"/>): O(n), where sorting every resample would dominate.</summary>
    internal static double Median(double[] values)
    {
        var n = values.Length;
        var upper = Select(values, n / 2, 0, n - 1);
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

    // Hoare selection within [left, right]: afterwards values[k] is the k-th smallest, smaller ones before it.
    private static double Select(double[] values, int k, int left, int right)
    {
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
