using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// Non-uniform channel allocation from measured output distortion (post-training distortion-aware pruning; ALCS):
/// each group is pruned alone at a few ratios on a few calibration samples, the model's output error is measured
/// (squared error over the reference output's energy), and the global budget (the multiply-adds the uniform ratio
/// would remove) is spent greedily on the steps with the least distortion per removed multiply-add. Distortions of
/// different groups are taken as additive, as those papers do.
/// <para>
/// A removal is emulated, not performed: every weight that reads a removed channel has it zeroed and its mean folded
/// into the bias (what <see cref="MeanCompensation"/> does after real removal, so the output is the same up to
/// zero-padded borders). Those weights become overridable initializers of one session, so each trial is only model
/// runs, with no session rebuilt.
/// </para>
/// </summary>
internal static class DistortionAllocation
{
    /// <summary>Samples per trial: distortion ranks groups, it need not be precise.</summary>
    private const int Samples = 4;

    /// <param name="ranked">Per group, its removable channel roots, least important first.</param>
    /// <param name="uniform">Per group, how many channels the uniform ratio removes (sets the budget).</param>
    /// <returns>Per group, how many of its ranked channels to remove.</returns>
    public static int[] Counts(ChannelGraph graph, OnnxModel model, IReadOnlyDictionary<string, long[]> shapes, PruneSettings settings,
        IReadOnlyList<int> sizes, IReadOnlyList<IReadOnlyList<int>> ranked, IReadOnlyList<int> uniform)
    {
        var cost = ChannelCosts(graph, shapes);
        var budget = 0.0;
        for (var g = 0; g < ranked.Count; g++)
        {
            budget += ranked[g].Take(uniform[g]).Sum(r => cost.GetValueOrDefault(r));
        }

        var counts = new int[ranked.Count];
        if (budget <= 0)
        {
            return counts;
        }

        using var trial = new Trial(graph, model, settings);
        var sparsity = settings.EffectiveSparsity;
        var grid = new List<(int Count, double Cost, double Distortion)>[ranked.Count];
        for (var g = 0; g < ranked.Count; g++)
        {
            grid[g] = [];
            var candidates = new[] { 0.5, 1, 1.5, 2 }.Select(f => Math.Min(ranked[g].Count, (int)Math.Round(f * sparsity * sizes[g])))
                .Where(c => c > 0).Distinct().Order();
            foreach (var count in candidates)
            {
                var removed = ranked[g].Take(count).ToList();
                grid[g].Add((count, removed.Sum(r => cost.GetValueOrDefault(r)), trial.Distortion(removed)));
            }
        }

        // Greedy on the lower hull: at every step take the jump (any group, to any larger candidate) that costs the
        // least distortion per multiply-add removed, until the budget is met.
        var at = Enumerable.Repeat(-1, ranked.Count).ToArray();
        var spent = 0.0;
        while (spent < budget)
        {
            (int Group, int Index, double Slope)? best = null;
            for (var g = 0; g < ranked.Count; g++)
            {
                var (fromCost, fromDistortion) = at[g] < 0 ? (0.0, 0.0) : (grid[g][at[g]].Cost, grid[g][at[g]].Distortion);
                for (var j = at[g] + 1; j < grid[g].Count; j++)
                {
                    var saved = grid[g][j].Cost - fromCost;
                    if (saved <= 0)
                    {
                        continue;
                    }

                    var slope = Math.Max(0, grid[g][j].Distortion - fromDistortion) / saved;
                    if (best is null || slope < best.Value.Slope)
                    {
                        best = (g, j, slope);
                    }
                }
            }

            if (best is not { } step)
            {
                break;
            }

            spent += grid[step.Group][step.Index].Cost - (at[step.Group] < 0 ? 0 : grid[step.Group][at[step.Group]].Cost);
            at[step.Group] = step.Index;
        }

        for (var g = 0; g < ranked.Count; g++)
        {
            counts[g] = at[g] < 0 ? 0 : grid[g][at[g]].Count;
        }

        return counts;
    }

    /// <summary>
    /// Multiply-adds per sample that removing each channel saves: every weight slice producing, reading or filtering
    /// it (elements per channel) times the positions its node computes (output elements over output channels).
    /// </summary>
    private static Dictionary<int, double> ChannelCosts(ChannelGraph graph, IReadOnlyDictionary<string, long[]> shapes)
    {
        var cost = new Dictionary<int, double>();
        foreach (var slice in graph.Slices.Where(s => s.InputIndex == 1 && s.Role is SliceRole.Producer or SliceRole.Consumer or SliceRole.Depthwise))
        {
            var weight = graph.Constants[slice.Node.Input[1]];
            if (!shapes.TryGetValue(slice.Node.Output[0], out var output) || output.Length == 0 || weight.Dims.Count == 0)
            {
                continue;
            }

            var channelAxis = slice.Node.OpType is "Conv" or "ConvTranspose" && output.Length > 1 ? 1 : output.Length - 1;
            var positions = output.Aggregate(1.0, (a, d) => a * d) / Math.Max(1, output[channelAxis]);
            var perChannel = weight.Dims.Aggregate(1.0, (a, d) => a * d) / Math.Max(1, weight.Dims[slice.Axis]);
            foreach (var id in slice.Channels)
            {
                var root = graph.Channels.Find(id);
                cost[root] = cost.GetValueOrDefault(root) + (perChannel * positions);
            }
        }

        return cost;
    }

    /// <summary>One session of the model whose consumer weights and biases can be overridden per run.</summary>
    private sealed class Trial : IDisposable
    {
        private readonly ChannelGraph graph;
        private readonly InferenceSession session;
        private readonly List<IReadOnlyList<HostTensor>> samples = [];
        private readonly List<float[][]> references = [];
        private readonly List<string> outputs;
        private readonly Dictionary<string, float[]> originals = new(StringComparer.Ordinal);
        private readonly Dictionary<int, List<(TensorSlice Slice, int Index, double Mean)>> readers = [];
        private readonly OnnxModel model;

        public Trial(ChannelGraph graph, OnnxModel model, PruneSettings settings)
        {
            this.graph = graph;
            this.model = model;
            var consumers = graph.Slices.Where(s => s.Role == SliceRole.Consumer && s.InputIndex == 1 && s.Node.OpType is "Conv" or "Gemm" or "MatMul" or "ConvTranspose").ToList();
            var inputs = consumers.Select(s => s.Node.Input[0]).Distinct(StringComparer.Ordinal).ToList();
            var spaces = inputs.Select(name => graph.Spaces.Single(s => s.Value == name)).ToList();
            var data = CalibrationSet.Open(model, settings).Take(Samples);
            var (means, _) = CalibrationSet.ChannelMoments(model, data, spaces.Select(s => (s.Value, s.Axis, s.Count)).ToList());
            foreach (var slice in consumers)
            {
                var mean = means[inputs.IndexOf(slice.Node.Input[0])];
                for (var i = 0; i < slice.Channels.Length; i++)
                {
                    var root = graph.Channels.Find(slice.Channels[i]);
                    if (!readers.TryGetValue(root, out var list))
                    {
                        readers[root] = list = [];
                    }

                    list.Add((slice, i, i < mean.Length ? mean[i] : 0));
                }
            }

            // Weights and biases that a trial may change become graph inputs (with their initializer as the default).
            var proto = model.Proto.Clone();
            var declared = proto.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var name in consumers.SelectMany(s => new[] { s.Node.Input[1], Bias(s.Node) }).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                var tensor = graph.Constants[name];
                originals[name] = TensorData.ToSingles(tensor, model);
                if (declared.Add(name))
                {
                    var shape = new TensorShapeProto();
                    shape.Dim.AddRange(tensor.Dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
                    proto.Graph.Input.Add(new ValueInfoProto
                    {
                        Name = name,
                        Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
                    });
                }
            }

            if (proto.IrVersion < 4)
            {
                proto.IrVersion = 4;
            }

            session = ModelSessions.Open(new OnnxModel(proto, model.BaseDirectory, model.SourcePath));
            outputs = session.Outputs.Where(o => o.IsTensor).Select(o => o.Name).ToList();
            for (var i = 0; i < data.Count; i++)
            {
                var sample = data.Sample(i);
                samples.Add(sample);
                references.Add(Floats(session.Run(sample, outputs)));
            }
        }

        /// <summary>Output squared error over output energy, summed over the samples, with <paramref name="removed"/> emulated away.</summary>
        public double Distortion(IReadOnlyList<int> removed)
        {
            var changed = new Dictionary<string, float[]>(StringComparer.Ordinal);
            float[] Working(string name) => changed.TryGetValue(name, out var v) ? v : changed[name] = (float[])originals[name].Clone();
            foreach (var root in removed)
            {
                foreach (var (slice, index, mean) in readers.GetValueOrDefault(root) ?? [])
                {
                    var weightName = slice.Node.Input[1];
                    var weight = graph.Constants[weightName];
                    var values = Working(weightName);
                    if (Bias(slice.Node) is { } biasName && mean != 0 && slice.Axis is 0 or 1 && weight.Dims.Count >= 2)
                    {
                        var bias = Working(biasName);
                        var outputs = (int)weight.Dims[1 - slice.Axis];
                        if (bias.Length == outputs)
                        {
                            for (var o = 0; o < outputs; o++)
                            {
                                bias[o] += (float)(MeanCompensation.Taps(originals[weightName], weight.Dims, slice.Axis, index, o) * mean);
                            }
                        }
                    }

                    Zero(values, weight.Dims, slice.Axis, index);
                }
            }

            var overrides = changed.Select(c => HostTensor.FromArray(c.Key, graph.Constants[c.Key].Dims.ToArray(), c.Value.AsSpan())).ToList();
            double error = 0, energy = 0;
            for (var i = 0; i < samples.Count; i++)
            {
                var result = Floats(session.Run(samples[i].Concat(overrides).ToList(), outputs));
                for (var k = 0; k < result.Length; k++)
                {
                    var reference = references[i][k];
                    for (var e = 0; e < reference.Length; e++)
                    {
                        var d = (double)result[k][e] - reference[e];
                        error += d * d;
                        energy += (double)reference[e] * reference[e];
                    }
                }
            }

            return energy > 0 ? error / energy : error;
        }

        public void Dispose() => session.Dispose();

        private string? Bias(NodeProto node) =>
            node.OpType is "Conv" or "Gemm" && node.Input.Count > 2 && node.Input[2].Length > 0 && graph.Constants.TryGetValue(node.Input[2], out var b)
                && b.DataType == (int)TensorProto.Types.DataType.Float && (node.OpType == "Conv" || (Attribute(node, "alpha") == 1f && Attribute(node, "beta") == 1f))
                ? node.Input[2]
                : null;

        private static float Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.F ?? 1f;

        private static float[][] Floats(IReadOnlyList<HostTensor> tensors) => tensors.Select(t =>
        {
            var floats = new float[t.ElementCount];
            return FloatWidening.TryWiden(t.ElementType, t.Data, floats) ? floats : [];
        }).ToArray();

        private static void Zero(float[] values, Google.Protobuf.Collections.RepeatedField<long> dims, int axis, int index)
        {
            long outer = 1, inner = 1;
            for (var d = 0; d < axis; d++)
            {
                outer *= dims[d];
            }

            for (var d = axis + 1; d < dims.Count; d++)
            {
                inner *= dims[d];
            }

            for (long o = 0; o < outer; o++)
            {
                values.AsSpan((int)(((o * dims[axis]) + index) * inner), (int)inner).Clear();
            }
        }
    }
}
