using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Evaluation;

/// <summary>
/// Runs a model over a dataset with chosen intermediate tensors exposed as outputs and hands each sample's values
/// to an observer, one sample at a time: calibration and activation-aware pruning keep running statistics, so
/// memory does not grow with the number of samples.
/// </summary>
public static class ActivationCapture
{
    /// <param name="model">The model to run (not modified).</param>
    /// <param name="tensors">Value names to capture: node outputs, graph inputs or graph outputs.</param>
    /// <param name="data">Samples opened against the model's inputs (<see cref="DatasetLoader"/>).</param>
    /// <param name="observe">Called once per sample with the captured tensors, in the order of <paramref name="tensors"/>.</param>
    public static void Run(OnnxModel model, IReadOnlyList<string> tensors, Dataset data, Action<int, IReadOnlyList<HostTensor>> observe, SessionSettings? settings = null)
    {
        var graphInputs = model.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var fromRun = tensors.Where(t => !graphInputs.Contains(t)).Distinct(StringComparer.Ordinal).ToList();

        // Without graph optimizations ORT keeps every exposed value as the graph computes it; fusions could
        // otherwise fold an activation into its producer and report a different tensor.
        using var session = ModelSessions.Open(ModelOutputs.WithOutputs(model, fromRun), (settings ?? SessionSettings.Default) with { OptimizationLevel = GraphOptimizationLevel.None });
        var captured = new HostTensor[tensors.Count];
        int[]? source = null;
        for (var i = 0; i < data.Count; i++)
        {
            Diagnostics.Deadline.ThrowIfExpired();
            var sample = data.Sample(i);

            // Where each requested tensor comes from, worked out once: a run output's index, or ~(its index in the sample).
            source ??= tensors.Select(t => graphInputs.Contains(t) ? ~sample.ToList().FindIndex(s => s.Name == t) : fromRun.IndexOf(t)).ToArray();
            var outputs = fromRun.Count > 0 ? session.Run(sample, fromRun) : [];
            for (var k = 0; k < tensors.Count; k++)
            {
                captured[k] = source[k] >= 0 ? outputs[source[k]] : sample[~source[k]];
            }

            observe(i, captured);
        }
    }
}
