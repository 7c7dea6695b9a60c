using System.Numerics.Tensors;
using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Engine.Pruning.Unstructured;

/// <summary>
/// Unstructured magnitude pruning. Layer scope zeroes exactly round(S * n) weights of each layer; global scope
/// zeroes exactly round(S * total) weights ranked across all layers, by |w| or, with LAMP, by the layer-normalised
/// score. Ties fall to the earlier weight, so the result is deterministic.
/// </summary>
public static class MagnitudePruner
{
    public static IReadOnlyList<PruneAdvisory> Apply(IReadOnlyList<PrunableLayer> layers, IReadOnlyList<float[]> weights, PruneSettings settings)
    {
        var sparsity = settings.EffectiveSparsity;
        if (settings.Scope == SparsityScope.Layer)
        {
            foreach (var w in weights)
            {
                ZeroSmallest(w, Scores(w), RankKey.Target(sparsity, w.Length));
            }

            return [];
        }

        var total = weights.Sum(w => (long)w.Length);
        if (total > uint.MaxValue)
        {
            throw new CompressBuildException(DiagnosticCodes.PruneOptionConflict, "global magnitude pruning ranks at most 4 G weights at once; use scope layer for this model.");
        }

        var keys = new ulong[total];
        long offset = 0;
        foreach (var w in weights)
        {
            var scores = settings.Allocation == SparsityAllocation.Lamp ? LampScores(w) : Scores(w);
            for (var i = 0; i < w.Length; i++)
            {
                keys[offset + i] = RankKey.Of(scores[i], offset + i);
            }

            offset += w.Length;
        }

        Array.Sort(keys);
        var target = RankKey.Target(sparsity, total);
        var starts = new long[weights.Count + 1];
        for (var l = 0; l < weights.Count; l++)
        {
            starts[l + 1] = starts[l] + weights[l].Length;
        }

        for (long i = 0; i < target; i++)
        {
            var position = (long)RankKey.Position(keys[i]);
            var layer = Array.BinarySearch(starts, position);
            layer = layer >= 0 ? layer : ~layer - 1;
            while (starts[layer + 1] == position)
            {
                layer++;
            }

            weights[layer][position - starts[layer]] = 0;
        }

        return Emptied(layers, weights);
    }

    /// <summary>CB4033 for each layer whose every weight is zero (global ranking; SparseGPT's reallocation may revive them).</summary>
    internal static List<PruneAdvisory> Emptied(IReadOnlyList<PrunableLayer> layers, IReadOnlyList<float[]> weights)
    {
        var advisories = new List<PruneAdvisory>();
        for (var l = 0; l < layers.Count; l++)
        {
            if (weights[l].Length > 0 && TensorPrimitives.MaxMagnitude(weights[l]) == 0)
            {
                advisories.Add(new PruneAdvisory(DiagnosticCodes.PruneLayerEmptied.Id,
                    $"global magnitude pruning zeroed every weight of '{layers[l].Name}' ({layers[l].Weight.Name}); use allocation lamp or scope layer to keep every layer alive."));
            }
        }

        return advisories;
    }

    internal static float[] Scores(float[] w)
    {
        var scores = new float[w.Length];
        TensorPrimitives.Abs(w, scores);
        return scores;
    }

    /// <summary>LAMP: w_u^2 / sum of w_v^2 over the layer's weights v ranked at or above u (ascending by |w|).</summary>
    internal static float[] LampScores(float[] w)
    {
        var squares = new float[w.Length];
        TensorPrimitives.Multiply(w, w, squares);
        var order = new ulong[w.Length];
        for (var i = 0; i < w.Length; i++)
        {
            order[i] = RankKey.Of(squares[i], i);
        }

        Array.Sort(order);
        var scores = new float[w.Length];
        double suffix = 0;
        for (var j = w.Length - 1; j >= 0; j--)
        {
            var i = RankKey.Position(order[j]);
            suffix += squares[i];
            scores[i] = suffix > 0 ? (float)(squares[i] / suffix) : 0f;
        }

        return scores;
    }

    private static void ZeroSmallest(float[] w, float[] scores, long count)
    {
        var keys = new ulong[w.Length];
        for (var i = 0; i < w.Length; i++)
        {
            keys[i] = RankKey.Of(scores[i], i);
        }

        Array.Sort(keys);
        for (var i = 0; i < count; i++)
        {
            w[RankKey.Position(keys[i])] = 0;
        }
    }
}
