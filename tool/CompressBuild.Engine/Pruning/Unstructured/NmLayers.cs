using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Engine.Pruning.Unstructured;

/// <summary>
/// Where N:M sparsity applies and along which axis. N:M sparse kernels (NVIDIA's sparse tensor cores, and the ASP tool
/// that prepares models for them) accelerate a GEMM whose reduction runs over the pattern's axis: for a Conv that is the
/// input-channel axis of the im2col view, at each kernel tap (ASP permutes [O, I, kh, kw] to [kh * kw * O, I] before
/// choosing its masks), not the taps of one channel. A depthwise Conv has no channel reduction at all, and a Conv whose
/// input channels per group are not a multiple of M (the first Conv of an image model, with 3) would have runs straddle
/// two taps: both stay dense, as ASP leaves them.
/// </summary>
public static class NmLayers
{
    /// <summary>Why <paramref name="layer"/> stays dense under <paramref name="pattern"/>, or null when the pattern applies.</summary>
    public static string? DenseReason(PrunableLayer layer, NmPattern pattern)
    {
        if (layer.Node.OpType != "Conv")
        {
            return null;
        }

        var channels = layer.Weight.Dims[1];
        if (channels == 1)
        {
            return layer.Node.Attribute.Any(a => a.Name == "group" && a.I > 1)
                ? "depthwise (each filter reads one channel: no channel reduction)"
                : "one input channel (no channel reduction)";
        }

        return channels % pattern.M != 0 ? $"{channels} input channels per group, not a multiple of {pattern.M}" : null;
    }

    /// <summary>
    /// The layout N:M runs along: for a Conv [O, I/g, k...] one row per (output, tap) reducing over the group's input
    /// channels (stride: the tap count); every other layer keeps its own reduction layout.
    /// </summary>
    public static ReductionLayout Layout(PrunableLayer layer)
    {
        if (layer.Node.OpType != "Conv")
        {
            return layer.Layout;
        }

        var dims = layer.Weight.Dims;
        var channels = (int)dims[1];
        var taps = layer.Layout.Length / channels;
        return new ReductionLayout(layer.Layout.Rows * taps, channels, taps, layer.Layout.Length, 1, taps);
    }

    /// <summary>The CB4047 advisory naming the layers <paramref name="pattern"/> leaves dense and why, with the overall sparsity it reaches; null when none.</summary>
    public static PruneAdvisory? Advisory(IReadOnlyList<PrunableLayer> layers, NmPattern pattern)
    {
        var dense = layers.Select(l => (Layer: l, Reason: DenseReason(l, pattern))).Where(d => d.Reason is not null).ToList();
        if (dense.Count == 0)
        {
            return null;
        }

        var total = layers.Sum(l => l.Count);
        var denseCount = dense.Sum(d => d.Layer.Count);
        var overall = total == 0 ? 0 : pattern.Sparsity * (total - denseCount) / total;
        var names = string.Join("; ", dense.GroupBy(d => d.Reason).Select(g => $"{g.Key}: {string.Join(", ", g.Select(d => $"'{d.Layer.Name}'"))}"));
        return new PruneAdvisory(DiagnosticCodes.PruneNmLayersDense.Id, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{pattern} runs along each Conv's input channels, as N:M sparse kernels need; {dense.Count} layer(s) ({denseCount} of {total} weights) stay dense, "
                + $"so the pattern zeroes {overall:P1} of the prunable weights, not {pattern.Sparsity:P0}. {names}. Use method magnitude to prune them too."));
    }
}
