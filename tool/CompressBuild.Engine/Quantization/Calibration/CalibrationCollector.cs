using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>
/// Runs the float model over the calibration data once, with the activations to quantize exposed as outputs,
/// and folds each sample into one <see cref="ActivationHistogram"/> per activation: memory is the model plus
/// a fixed 48 KiB of counters per activation that needs its histogram, and at most 64 KiB of exact tail values per activation
/// that needs only the percentile, whatever the number of samples. Samples are read one at a time and each
/// exposed tensor is read in place in ONNX Runtime's buffer, on a pool thread while ORT runs the next sample (two runs'
/// outputs alive at a time, the arena reusing the older's blocks), so the managed allocation per sample is the input
/// tensor and a few small arrays, not a copy of every activation.
/// </summary>
public static class CalibrationCollector
{
    /// <summary>
    /// The graph optimization level of the calibration session. Every exposed activation is a graph output, and ONNX
    /// Runtime's fusions never remove a node whose output is a graph output, so the values are the ones the graph
    /// computes; the rest of the graph (its unexposed tails, Conv layouts) runs as fast as in plain inference.
    /// </summary>
    internal const GraphOptimizationLevel OptimizationLevel = GraphOptimizationLevel.All;

    /// <summary>Full histograms of every activation, as every method can read.</summary>
    public static IReadOnlyDictionary<string, ActivationHistogram> Collect(OnnxModel model, IReadOnlyList<string> activations, Dataset data, SessionSettings settings) =>
        Collect(model, activations, data, settings, _ => true, percentile: 100);

    /// <summary>
    /// Histograms only for the activations <paramref name="binned"/> names (their method reads the whole distribution: mse, entropy,
    /// power-of-two scales); the others keep min, max and the exact tail of |x| that <paramref name="percentile"/> needs, which
    /// spares binning every value (a vector compare against the tail's threshold rejects almost all of them).
    /// </summary>
    public static IReadOnlyDictionary<string, ActivationHistogram> Collect(OnnxModel model, IReadOnlyList<string> activations, Dataset data, SessionSettings settings,
        Func<string, bool> binned, double percentile)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(binned);
        if (data.Count == 0)
        {
            throw new CompressBuildException(DiagnosticCodes.CalibrationDataEmpty, "the calibration data holds no samples.", data.Source);
        }

        var result = Pass(model, activations, data, settings, a => new ActivationHistogram(binned(a), percentile, data.Count));

        // A tail is sized on the first sample; when later samples were larger (inputs of varying shapes) it may have let go of the
        // percentile's value: a second pass over those activations with full histograms (rare: stacked .npy samples share a shape).
        var larger = result.Where(r => !r.Value.Serves(binned(r.Key), percentile)).Select(r => r.Key).ToList();
        if (larger.Count > 0)
        {
            foreach (var (name, histogram) in Pass(model, larger, data, settings, _ => new ActivationHistogram()))
            {
                result[name] = histogram;
            }
        }

        return result;
    }

    private static Dictionary<string, ActivationHistogram> Pass(OnnxModel model, IReadOnlyList<string> activations, Dataset data, SessionSettings settings,
        Func<string, ActivationHistogram> create)
    {
        var histograms = activations.Select(create).ToArray();
        var graphInputs = model.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var fromRun = activations.Where(a => !graphInputs.Contains(a)).Distinct(StringComparer.Ordinal).ToArray();
        var runIndex = fromRun.Select((name, k) => (name, k)).ToDictionary(p => p.name, p => p.k, StringComparer.Ordinal);

        // Each run output feeds the histograms of every activation with its name (a name asked for twice is measured once).
        var targets = fromRun.Select(name => Enumerable.Range(0, activations.Count).Where(k => activations[k] == name).Select(k => histograms[k]).ToArray()).ToArray();
        var fromInputs = Enumerable.Range(0, activations.Count).Where(k => !runIndex.ContainsKey(activations[k])).ToArray();
        var observe = (int output, ReadOnlySpan<float> values) =>
        {
            foreach (var histogram in targets[output])
            {
                histogram.Add(values);
            }
        };

        using (var session = ModelSessions.Open(ModelOutputs.WithOutputs(model, fromRun), settings with { OptimizationLevel = OptimizationLevel }))
        {
            // Sample i's outputs are folded on a pool thread while ONNX Runtime runs sample i + 1: two runs' outputs are alive at a time.
            var pipeline = new OverlappedFold<ObservedOutputs>();
            try
            {
                for (var i = 0; i < data.Count; i++)
                {
                    Deadline.ThrowIfExpired();
                    var sample = data.Sample(i);
                    foreach (var k in fromInputs)
                    {
                        histograms[k].Add(sample.First(s => s.Name == activations[k]).AsSpan<float>());
                    }

                    if (fromRun.Length > 0)
                    {
                        pipeline.Next(session.RunKept(sample, fromRun), (outputs, _) => outputs.Observe(observe));
                    }
                }
            }
            catch
            {
                pipeline.Abandon();
                throw;
            }

            pipeline.Drain();
        }

        var broken = activations.Where((_, k) => histograms[k].HasNonFinite).Distinct(StringComparer.Ordinal).ToList();
        if (broken.Count > 0)
        {
            throw new CompressBuildException(DiagnosticCodes.CalibrationValuesNotFinite,
                $"activation(s) {string.Join(", ", broken.Take(5).Select(b => $"'{b}'"))} took NaN or infinite values on the calibration data; " +
                    $"check the data's scaling (the model expects the same preprocessing as in training).", data.Source);
        }

        var result = new Dictionary<string, ActivationHistogram>(StringComparer.Ordinal);
        for (var k = 0; k < activations.Count; k++)
        {
            result.TryAdd(activations[k], histograms[k]);
        }

        return result;
    }
}
