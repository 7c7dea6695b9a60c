namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// SparseGPT (Frantar and Alistarh 2023): prunes a layer to a sparsity or an N:M pattern, choosing the mask block by
/// block with the OBS saliency w^2 / U_jj^2 = w^2 / [H_F^-1]_jj (U the upper Cholesky factor of H^-1, F the columns not yet
/// swept; not |w| alone) and updating the remaining weights so the layer's output on the calibration data moves as little as
/// possible. An N:M run's mask is the one whose sweep costs least (<see cref="NmRun"/>).
/// </summary>
public static class SparseGpt
{
    /// <summary>Columns per block of the mask choice (SparseGPT's blocksize).</summary>
    public const int BlockSize = 128;

    /// <param name="sparsity">Fraction of the layer's weights to zero (ignored when <paramref name="keepN"/> / <paramref name="ofM"/> are given).</param>
    public static void Prune(GramMatrix gram, double[] rows, int outputs, double sparsity, int keepN = 0, int ofM = 0, double damping = ObsSweep.DefaultDamping) =>
        Prune(gram, rows, outputs, (long)Math.Round(sparsity * rows.Length, MidpointRounding.AwayFromZero), keepN, ofM, damping);

    /// <param name="zeros">
    /// Exactly how many of the layer's weights to zero. Each block takes its share of what is still to zero, so the
    /// per-block rounding never drifts from the count (a 3x3 depthwise filter at 50% keeps 4 or 5 of 9 weights, as its
    /// blocks fall, not always 5).
    /// </param>
    /// <param name="overwriteGram">The sweep factors <paramref name="gram"/>'s own values (see <see cref="ObsSweep.Run"/>): for a caller that reads it no more.</param>
    public static void Prune(GramMatrix gram, double[] rows, int outputs, long zeros, int keepN = 0, int ofM = 0, double damping = ObsSweep.DefaultDamping, bool overwriteGram = false)
    {
        var n = gram.Size;
        var mask = new bool[outputs * n];
        // N:M: one block per run of M columns, so each run's mask is chosen when the sweep reaches it, from the weights as the
        // earlier runs' updates left them (SparseGPT's reference does the same); a run's first columns are not yet updated by
        // its own zeros, which NmRun accounts for exactly.
        var blockSize = ofM > 0 ? ofM : BlockSize;
        long zeroed = 0;
        ObsSweep.Run(gram, rows, outputs, (column, values, result) =>
        {
            for (var o = 0; o < values.Length; o++)
            {
                result[o] = mask[(o * n) + column] ? 0 : values[o];
            }
        }, actOrder: false, damping, blockSize, (first, count, columns, order, inverseDiagonal, upper) =>
        {
            double Saliency(int o, int a) => columns[a][o] * columns[a][o] / (inverseDiagonal[a] * inverseDiagonal[a]);
            if (ofM > 0)
            {
                var run = new NmRun(first, count, keepN, upper, n);
                for (var o = 0; o < outputs; o++)
                {
                    var dropped = run.Choose(columns, o, Saliency);
                    for (var j = 0; j < count; j++)
                    {
                        if ((dropped & (1UL << j)) != 0)
                        {
                            mask[(o * n) + order[first + j]] = true;
                        }
                    }
                }

                return;
            }

            // Candidate (a - first) * outputs + o: ascending index is column, then output, SparseGPT's order among equal saliencies.
            var saliencies = new double[outputs * count];
            var candidates = new int[saliencies.Length];
            for (var a = first; a < first + count; a++)
            {
                for (var o = 0; o < outputs; o++)
                {
                    var index = ((a - first) * outputs) + o;
                    saliencies[index] = Saliency(o, a);
                    candidates[index] = index;
                }
            }

            // This block's share of the zeros still owed, proportional to the weights it holds among those not yet swept.
            var remaining = (long)outputs * (n - first);
            var target = (int)Math.Min(candidates.Length, Math.Round((double)(zeros - zeroed) * candidates.Length / remaining, MidpointRounding.AwayFromZero));
            zeroed += target;
            if (target == 0)
            {
                return;
            }

            // A primitive-key sort (unstable), then the run of saliencies equal to the last one taken put in index order, so the
            // chosen set is the one a stable sort by (saliency, column, output) gives.
            Array.Sort(saliencies, candidates);
            var last = saliencies[target - 1];
            var start = target - 1;
            while (start > 0 && saliencies[start - 1].Equals(last))
            {
                start--;
            }

            var end = target;
            while (end < saliencies.Length && saliencies[end].Equals(last))
            {
                end++;
            }

            Array.Sort(candidates, start, end - start);
            foreach (var index in candidates.AsSpan(0, target))
            {
                mask[((index % outputs) * n) + order[first + (index / outputs)]] = true;
            }
        }, overwriteGram);
    }

    /// <summary>Prunes to a mask chosen beforehand (true = zero), updating the kept weights with the same OBS sweep.</summary>
    public static void PruneMasked(GramMatrix gram, double[] rows, int outputs, bool[] mask, double damping = ObsSweep.DefaultDamping)
    {
        var n = gram.Size;
        ObsSweep.Run(gram, rows, outputs, (column, values, result) =>
        {
            for (var o = 0; o < values.Length; o++)
            {
                result[o] = mask[(o * n) + column] ? 0 : values[o];
            }
        }, actOrder: false, damping);
    }

    /// <summary>
    /// The saliency SparseGPT's first block ranks by, w^2 / U[j, j]^2 (U the upper Cholesky factor of the damped H^-1),
    /// for every weight of <paramref name="rows"/> ([outputs, columns]): the increase of the layer's squared output error on
    /// the calibration rows when that weight alone is zeroed and the later columns compensate. A column of inputs that never
    /// fire scores 0, as the sweep zeroes it anyway.
    /// </summary>
    public static double[] Saliencies(GramMatrix gram, double[] rows, int outputs, double damping = ObsSweep.DefaultDamping)
    {
        var n = gram.Size;
        var h = (double[])gram.Values.Clone();
        var dead = new bool[n];
        for (var j = 0; j < n; j++)
        {
            if (h[(j * n) + j] == 0)
            {
                h[(j * n) + j] = 1;
                dead[j] = true;
            }
        }

        var u = Cholesky.InverseUpper(h, n, damping);
        var result = new double[rows.Length];
        for (var o = 0; o < outputs; o++)
        {
            for (var j = 0; j < n; j++)
            {
                var w = rows[(o * n) + j];
                var d = u[((long)j * n) + j];
                result[(o * n) + j] = dead[j] ? 0 : w * w / (d * d);
            }
        }

        return result;
    }
}
