using System.Numerics.Tensors;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// Importance of each removable channel (a component of the channel graph), summed over the whole group: every
/// weight slice that produces or reads the channel (l1: sum |w|; l2: the slices' L2 norms), the BatchNorm scales
/// in it (bn-scale), or mean |activation| of the produced channel on calibration data times its producers' L2
/// norm (activation).
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
                var activation = MeanActivations(graph, model, settings);
                return producerL2.ToDictionary(p => p.Key, p => p.Value * activation.GetValueOrDefault(p.Key));
            default:
                return l2;
        }
    }

    private static Dictionary<int, double> MeanActivations(ChannelGraph graph, OnnxModel model, PruneSettings settings)
    {
        var spaces = graph.Spaces.Where(s => s.IsProducerOutput).ToList();
        Dataset data;
        using (var session = ModelSessions.Open(model))
        {
            data = DatasetLoader.Open(settings.CalibrationData!, session.Inputs).Take(settings.CalibrationSamples);
        }

        var sums = spaces.Select(s => new double[s.Count]).ToList();
        var counts = new long[spaces.Count];
        ActivationCapture.Run(model, spaces.Select(s => s.Value).ToList(), data, (_, tensors) =>
        {
            for (var k = 0; k < spaces.Count; k++)
            {
                var tensor = tensors[k];
                var floats = new float[tensor.ElementCount];
                FloatWidening.TryWiden(tensor.ElementType, tensor.Data, floats);
                for (var c = 0; c < spaces[k].Count; c++)
                {
                    var sum = 0.0;
                    TensorSlicing.ForEachRun(floats, tensor.Shape, spaces[k].Axis, c, run => sum += TensorPrimitives.SumOfMagnitudes(run));
                    sums[k][c] += sum;
                }

                counts[k] += tensor.ElementCount / spaces[k].Count;
            }
        });

        var result = new Dictionary<int, double>();
        for (var k = 0; k < spaces.Count; k++)
        {
            for (var c = 0; c < spaces[k].Count; c++)
            {
                Add(result, graph.Channels.Find(spaces[k].Id(c)), counts[k] == 0 ? 0 : sums[k][c] / counts[k]);
            }
        }

        return result;
    }

    private static void Add(Dictionary<int, double> map, int key, double value) => map[key] = map.GetValueOrDefault(key) + value;
}
