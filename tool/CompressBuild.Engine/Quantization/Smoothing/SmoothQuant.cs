using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Preprocessing;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization.Smoothing;

/// <summary>
/// SmoothQuant (Xiao et al. 2023) where the rescaling is exact by construction. For each tensor X read only by
/// weighted layers (<see cref="SmoothingSites"/>), channel j is divided by
/// s_j = max|X_j|^alpha / max|W_j|^(1 - alpha) (activation maxima from the calibration data, W_j every weight reading
/// channel j), the 1/s folded into the constants of the node that computes X (<see cref="ProducerFold"/>) and s into
/// the readers' weights (<see cref="ConsumerWeights"/>). The float model computes the same function (up to float
/// rounding) with no node added; what changes is that a few outlier channels no longer set the per-tensor activation
/// scale for all the others, at the price of wider weight ranges on those channels (per-channel weight scales are per
/// output channel, so the weights pay less than the activations gain when alpha is right).
/// </summary>
internal static class SmoothQuant
{
    /// <summary>The smallest and largest s applied: a channel that is all zeros on the calibration data keeps s = 1.</summary>
    private const float MinScale = 1e-4f;
    private const float MaxScale = 1e4f;

    /// <summary>Rewrites <paramref name="work"/>'s main graph in place and reports what it smoothed.</summary>
    /// <param name="sharing">Holds the maxima another candidate measured on the same prepared model and data (they do not depend on alpha).</param>
    public static IReadOnlyList<SmoothedTensor> Apply(QuantizationWork work, Dataset calibration, double alpha, SessionSettings settings, CandidateSharing? sharing = null)
    {
        var smoothed = Apply(work.Model, calibration, alpha, settings, sharing);
        if (smoothed.Count == 0)
        {
            work.Advise(DiagnosticCodes.SmoothingFoundNothing, $"smooth {alpha} found no tensor to smooth exactly: every Conv/MatMul/Gemm input comes through a " +
                "nonlinearity (HardSwish, Sigmoid, Softmax, GELU...), has other readers, or its producer has no constant to fold 1/s into; the model is quantized unsmoothed.");
            return smoothed;
        }

        var names = string.Join(", ", smoothed.Take(8).Select(t => $"{t.ProducerOpType} '{t.Producer}' -> {string.Join("/", t.Consumers)} (max {t.MaxBefore:0.##} -> {t.MaxAfter:0.##})"));
        work.FusionRewrites.Add($"{smoothed.Count} tensor(s) smoothed (SmoothQuant, alpha {alpha}, exact: the producer's constants take 1/s, the readers' " +
            $"weights s): {names}{(smoothed.Count > 8 ? $", and {smoothed.Count - 8} more" : "")}");
        return smoothed;
    }

    public static IReadOnlyList<SmoothedTensor> Apply(OnnxModel model, Dataset calibration, double alpha, SessionSettings settings, CandidateSharing? sharing = null)
    {
        var sites = SmoothingSites.Find(model);
        if (sites.Count == 0)
        {
            return [];
        }

        // Measured once on the unsmoothed model: each rewrite keeps every tensor but its own (and the ones between its
        // producer and it), so later sites see the values measured here.
        var maxima = sharing?.SmoothingMaxima ?? ChannelMaxima.Measure(model, sites, calibration, settings);
        if (sharing is not null)
        {
            sharing.Reuses += sharing.SmoothingMaxima is null ? 0 : 1;
            sharing.SmoothingMaxima = maxima;
        }

        var smoothed = new List<SmoothedTensor>();
        for (var k = 0; k < sites.Count; k++)
        {
            if (maxima[k] is not { } a)
            {
                continue;
            }

            // Weights are read again per site: an earlier site may have rescaled a reader that is this site's producer.
            var site = sites[k];
            var index = GraphIndex.Build(model.Graph);
            var w = new float[site.Channels];
            foreach (var consumer in site.Consumers)
            {
                System.Numerics.Tensors.TensorPrimitives.Max(w, ConsumerWeights.InputChannelMaxima(model, index, consumer, site.Channels), w);
            }

            var s = Scales(a, w, alpha);
            if (s.All(v => v == 1f))
            {
                continue;
            }

            site.Producer.Apply(model, index, s, site.Axis, site.Rank);
            foreach (var consumer in site.Consumers)
            {
                ConsumerWeights.Scale(model, index, consumer, s);
            }

            var after = a.Select((v, j) => v / s[j]).Max();
            smoothed.Add(new SmoothedTensor(site.Tensor, site.Producer.Node.Name, site.Producer.Node.OpType, [.. site.Consumers.Select(c => c.Name)], site.Channels, a.Max(), after));
        }

        UnusedInitializerRemoval.Run(model.Graph);
        return smoothed;
    }

    /// <summary>s_j = a_j^alpha / w_j^(1 - alpha), 1 where a channel or its weights are all zero.</summary>
    internal static float[] Scales(float[] a, float[] w, double alpha)
    {
        var s = new float[a.Length];
        for (var j = 0; j < s.Length; j++)
        {
            var v = a[j] > 0 && w[j] > 0 ? (float)(Math.Pow(a[j], alpha) / Math.Pow(w[j], 1 - alpha)) : 1f;
            s[j] = float.IsFinite(v) ? Math.Clamp(v, MinScale, MaxScale) : 1f;
        }

        return s;
    }
}
