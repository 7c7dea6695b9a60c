namespace CompressBuild.Engine.Pruning.Unstructured;

/// <summary>
/// N:M semi-structured sparsity: along each output unit's reduction axis (a Conv's input channels at each tap, see
/// <see cref="NmLayers"/>), every run of M consecutive weights keeps its N largest by |w| (ties keep the earlier weight).
/// A shorter last run keeps at most N. Layers <see cref="NmLayers.DenseReason"/> names stay dense.
/// </summary>
public static class NmPruner
{
    public static void Apply(IReadOnlyList<PrunableLayer> layers, IReadOnlyList<float[]> weights, NmPattern pattern)
    {
        var keys = new ulong[pattern.M];
        for (var l = 0; l < layers.Count; l++)
        {
            if (NmLayers.DenseReason(layers[l], pattern) is not null)
            {
                continue;
            }

            var layout = NmLayers.Layout(layers[l]);
            var w = weights[l];
            for (var row = 0; row < layout.Rows; row++)
            {
                for (var start = 0; start < layout.Length; start += pattern.M)
                {
                    var length = Math.Min(pattern.M, layout.Length - start);
                    for (var j = 0; j < length; j++)
                    {
                        // Descending by |w|, ascending by position: invert the position so a plain ascending sort ranks the weakest first.
                        keys[j] = RankKey.Of(Math.Abs(w[layout.Index(row, start + j)]), pattern.M - 1 - j);
                    }

                    Array.Sort(keys, 0, length);
                    for (var j = 0; j < length - pattern.N; j++)
                    {
                        var r = start + pattern.M - 1 - (int)RankKey.Position(keys[j]);
                        w[layout.Index(row, r)] = 0;
                    }
                }
            }
        }
    }
}
