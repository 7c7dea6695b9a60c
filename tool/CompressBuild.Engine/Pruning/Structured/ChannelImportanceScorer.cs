using System.Numerics.Tensors;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// Importance of each removable channel (a component of the channel graph), summed over the whole group: every
/// weight slice that produces or reads the channel (l1: sum |w|; l2: the slices' L2 norms), the BatchNorm scales
/// in it (bn-scale), or, on calibration data, the standard deviation of the channel where each consumer reads it
/// times that consumer's weight norm for it (activation: the error removal leaves once its mean is folded away).
/// </summary>
internal static class ChannelImportanceScorer
{
    public static Dictionary<int, double> Score(ChannelGraph graph, OnnxModel model, PruneSettings settings, List<PruneAdvisory> advisories)
    {
        var l1 = new Dictionary<int, double>();
        var l2 = new Dictionary<int, double>();
        var producerL2 = new Dictionary<int, double>();
        var bn = new Dictionary<int, double>();
        var values = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var slice in graph.Slices)
        {
            var tensor = graph.Constants[slice.Node.Input[slice.InputIndex]];
            if (!values.TryGetValue(tensor.Name, out var data))
            {
                values[tensor.Name] = data = TensorData.ToSingles(tensor, model);
            }

            for (var i = 0; i < slice.Channels.Length; i++)
            {
                var root = graph.Channels.Find(slice.Channels[i]);
                double abs = 0, squares = 0;
                TensorSlicing.ForEachRun(data, tensor.Dims, slice.Axis, i, run =>
                {
                    abs += TensorPrimitives.SumOfMagnitudes(run);
                    squares += TensorPrimitives.SumOfSquares(run);
                });
                switch (slice.Role)
                {
                    case SliceRole.Producer or SliceRole.Consumer or SliceRole.Depthwise:
                        Add(l1, root, abs);
                        Add(l2, root, Math.Sqrt(squares));
                        if (slice.Role != SliceRole.Consumer)
                        {
                            Add(producerL2, root, Math.Sqrt(squares));
                        }

                        break;
                    case SliceRole.BnScale:
                        Add(bn, root, abs);
                        break;
                }
            }
        }

        switch (settings.Importance)
        {
            case ChannelImportance.L1:
                return l1;
            case ChannelImportance.BnScale:
                var fallback = l2.Keys.Where(r => !bn.ContainsKey(r)).ToList();
                if (fallback.Count > 0)
                {
                    advisories.Add(new PruneAdvisory(Diagnostics.DiagnosticCodes.PruneImportanceFallback.Id,
                        $"{fallback.Count} channel(s) pass through no BatchNormalization (exporters often fold it into the Conv), so they were ranked by l2 instead of bn-scale."));
                }

                foreach (var root in fallback)
                {
                    bn[root] = l2[root];
                }

                return bn;
            case ChannelImportance.Activation:
                return ActivationScores(graph, model, settings);
            default:
                return l2;
        }
    }

    /// <summary>
    /// Removing channel c (its mean folded into the next layer's bias, see <see cref="MeanCompensation"/>) changes each
    /// consumer's output by W[:, c] * (a_c - mean(a_c)): its expected size is std(a_c) * ||W[:, c]||, summed here over
    /// every consumer of the channel.
    /// </summary>
    private static Dictionary<int, double> ActivationScores(ChannelGraph graph, OnnxModel model, PruneSettings settings)
    {
        var consumers = graph.Slices.Where(s => s.Role == SliceRole.Consumer).ToList();
        var inputs = consumers.Select(s => s.Node.Input[0]).Distinct(StringComparer.Ordinal).ToList();
        var spaces = inputs.Select(name => graph.Spaces.Single(s => s.Value == name)).ToList();
        var (mean, meanSquare) = CalibrationSet.ChannelMoments(model, CalibrationSet.Open(model, settings), spaces.Select(s => (s.Value, s.Axis, s.Count)).ToList());
        var result = new Dictionary<int, double>();
        foreach (var slice in consumers)
        {
            var k = inputs.IndexOf(slice.Node.Input[0]);
            var tensor = graph.Constants[slice.Node.Input[slice.InputIndex]];
            var data = TensorData.ToSingles(tensor, model);
            for (var i = 0; i < slice.Channels.Length; i++)
            {
                var squares = 0.0;
                TensorSlicing.ForEachRun(data, tensor.Dims, slice.Axis, i, run => squares += TensorPrimitives.SumOfSquares(run));
                var std = Math.Sqrt(Math.Max(0, meanSquare[k][i] - (mean[k][i] * mean[k][i])));
                Add(result, graph.Channels.Find(slice.Channels[i]), std * Math.Sqrt(squares));
            }
        }

        return result;
    }

    private static void Add(Dictionary<int, double> map, int key, double value) => map[key] = map.GetValueOrDefault(key) + value;
}
