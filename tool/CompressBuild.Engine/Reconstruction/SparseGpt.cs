namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// SparseGPT (Frantar and Alistarh 2023): prunes a layer to a sparsity or an N:M pattern, choosing the mask block by
/// block with the OBS saliency w^2 / [H^-1]_jj^2 (not |w| alone) and updating the remaining weights so the layer's
/// output on the calibration data moves as little as possible.
/// </summary>
public static class SparseGpt
{
    /// <param name="sparsity">Fraction of the layer's weights to zero (ignored when <paramref name="keepN"/> / <paramref name="ofM"/> are given).</param>
    public static void Prune(GramMatrix gram, double[] rows, int outputs, double sparsity, int keepN = 0, int ofM = 0, double damping = ObsSweep.DefaultDamping)
    {
        var n = gram.Size;
        var mask = new bool[outputs * n];
        var blockSize = ofM > 0 ? ofM * Math.Max(1, 128 / ofM) : 128;
        ObsSweep.Run(gram, rows, outputs, (column, values, result) =>
        {
            for (var o = 0; o < values.Length; o++)
            {
                result[o] = mask[(o * n) + column] ? 0 : values[o];
            }
        }, actOrder: false, damping, blockSize, (first, count, columns, order, inverseDiagonal) =>
        {
            double Saliency(int o, int a) => columns[a][o] * columns[a][o] / (inverseDiagonal[a] * inverseDiagonal[a]);
            if (ofM > 0)
            {
                // N:M runs start at multiples of M of the original index (the sweep is in index order here).
                for (var o = 0; o < outputs; o++)
                {
                    for (var start = first; start < first + count; start += ofM)
                    {
                        var length = Math.Min(ofM, first + count - start);
                        var weakest = Enumerable.Range(start, length).OrderBy(a => Saliency(o, a)).ThenByDescending(a => a).Take(Math.Max(0, length - keepN));
                        foreach (var a in weakest)
                        {
                            mask[(o * n) + order[a]] = true;
                        }
                    }
                }

                return;
            }

            var candidates = new List<(double Saliency, int Output, int Column)>(outputs * count);
            for (var a = first; a < first + count; a++)
            {
                for (var o = 0; o < outputs; o++)
                {
                    candidates.Add((Saliency(o, a), o, a));
                }
            }

            var target = (int)Math.Round(sparsity * candidates.Count);
            foreach (var (_, o, a) in candidates.OrderBy(c => c.Saliency).ThenBy(c => c.Column).ThenBy(c => c.Output).Take(target))
            {
                mask[(o * n) + order[a]] = true;
            }
        });
    }
}
