namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// One N:M run's zeros for one output, chosen when the OBS sweep reaches the run: every way of zeroing all but N of its
/// columns is swept through U's block for the run (zero column j: err = w_j / U_jj, then w_k -= err * U_jk for the run's later
/// columns k), and the mask whose summed err^2 is least wins: that sum is exactly the output error the sweep adds for the run
/// (the columns after it compensate alike whatever the mask). Ranking each column by its own saliency w_j^2 / U_jj^2 at the
/// run's start, as SparseGPT does, ignores that zeroing the run's first column moves the others before they are swept. Runs
/// with more than <see cref="MaxMasks"/> choices (e.g. 16:32) fall back to that saliency.
/// </summary>
internal sealed class NmRun
{
    /// <summary>C(8, 4): every choice of 1:4, 2:4, 3:4 and 4:8 is tried.</summary>
    public const int MaxMasks = 70;

    private readonly int first;
    private readonly int count;
    private readonly int drop;
    private readonly int size;
    private readonly ReadOnlyMemory<double> upper;
    private readonly List<ulong>? masks;
    private readonly double[] values;

    /// <param name="first">The run's first column in sweep order.</param>
    /// <param name="upper">U, row-major [size, size] in sweep order.</param>
    public NmRun(int first, int count, int keepN, ReadOnlyMemory<double> upper, int size)
    {
        this.first = first;
        this.count = count;
        this.size = size;
        this.upper = upper;
        drop = Math.Max(0, count - keepN);
        values = new double[count];
        if (Choices(count, drop) <= MaxMasks)
        {
            masks = [];
            Combine(0, drop, 0UL);

            // Descending, so on a tie the mask zeroing later columns wins, as the saliency ranking breaks ties.
            masks.Sort((a, b) => b.CompareTo(a));
        }
    }

    /// <summary>The run's columns to zero for <paramref name="output"/>, as bits (bit j: column first + j).</summary>
    /// <param name="saliency">(output, column in sweep order) -> w^2 / U_jj^2, for runs with too many choices.</param>
    public ulong Choose(IReadOnlyList<double[]> columns, int output, Func<int, int, double> saliency)
    {
        if (drop == 0)
        {
            return 0;
        }

        if (masks is null)
        {
            return Enumerable.Range(0, count).OrderBy(j => saliency(output, first + j)).ThenByDescending(j => j).Take(drop)
                .Aggregate(0UL, (bits, j) => bits | (1UL << j));
        }

        var best = masks[0];
        var bestCost = double.PositiveInfinity;
        foreach (var mask in masks)
        {
            var cost = Cost(columns, output, mask, bestCost);
            if (cost < bestCost)
            {
                (best, bestCost) = (mask, cost);
            }
        }

        return best;
    }

    /// <summary>The squared output error the sweep adds for the run under <paramref name="mask"/>; stops early past <paramref name="bound"/>.</summary>
    private double Cost(IReadOnlyList<double[]> columns, int output, ulong mask, double bound)
    {
        var u = upper.Span;
        for (var j = 0; j < count; j++)
        {
            values[j] = columns[first + j][output];
        }

        double cost = 0;
        for (var j = 0; j < count && cost < bound; j++)
        {
            if ((mask & (1UL << j)) == 0)
            {
                continue;
            }

            var row = (long)(first + j) * size;
            var error = values[j] / u[(int)(row + first + j)];
            cost += error * error;
            for (var k = j + 1; k < count; k++)
            {
                values[k] -= error * u[(int)(row + first + k)];
            }
        }

        return cost;
    }

    private void Combine(int from, int left, ulong bits)
    {
        if (left == 0)
        {
            masks!.Add(bits);
            return;
        }

        for (var j = from; j <= count - left; j++)
        {
            Combine(j + 1, left - 1, bits | (1UL << j));
        }
    }

    private static double Choices(int n, int k)
    {
        double result = 1;
        for (var i = 0; i < k; i++)
        {
            result = result * (n - i) / (i + 1);
        }

        return result;
    }
}
