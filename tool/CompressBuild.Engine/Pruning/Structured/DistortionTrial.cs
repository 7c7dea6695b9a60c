using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// One session of the model whose consumer weights and biases can be overridden per run, so each trial removal of
/// channels (zeroed where they are read, their means folded into the readers' biases) costs only a few model runs.
/// </summary>
internal sealed class DistortionTrial : IDisposable
{
    private readonly ChannelGraph graph;
    private readonly InferenceSession session;
    private readonly List<IReadOnlyList<HostTensor>> samples = [];
    private readonly List<float[][]> references = [];
    private readonly List<string> outputs;
    private readonly Dictionary<string, float[]> originals = new(StringComparer.Ordinal);
    private readonly Dictionary<int, List<(TensorSlice Slice, int Index, double Mean)>> readers = [];
    private readonly OnnxModel model;

    public DistortionTrial(ChannelGraph graph, OnnxModel model, PruneSettings settings, int sampleCount)
    {
        this.graph = graph;
        this.model = model;
        // Readers with float weights only: those are the ones an overriding input can stand for (others are not emulated).
        var consumers = graph.Slices.Where(s => s.Role == SliceRole.Consumer && s.InputIndex == 1 && s.Node.OpType is "Conv" or "Gemm" or "MatMul" or "ConvTranspose"
            && graph.Constants[s.Node.Input[1]].DataType == (int)TensorProto.Types.DataType.Float).ToList();
        var readValues = consumers.Select(s => s.Node.Input[0]).Distinct(StringComparer.Ordinal).ToList();
        var spaces = readValues.Select(name => graph.Spaces.Single(s => s.Value == name)).ToList();
        var data = CalibrationSet.Open(model, settings).Take(sampleCount);
        var (means, _) = CalibrationSet.ChannelMoments(model, data, spaces.Select(s => (s.Value, s.Axis, s.Count)).ToList());
        foreach (var slice in consumers)
        {
            var mean = means[readValues.IndexOf(slice.Node.Input[0])];
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
        Diagnostics.Deadline.ThrowIfExpired();
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

                TensorSlicing.Clear(values, weight.Dims, slice.Axis, index);
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
            && b.DataType == (int)TensorProto.Types.DataType.Float && (node.OpType == "Conv" || (NodeAttributes.Float(node, "alpha", 1f) == 1f && NodeAttributes.Float(node, "beta", 1f) == 1f))
            ? node.Input[2]
            : null;

    private static float[][] Floats(IReadOnlyList<HostTensor> tensors) => tensors.Select(t =>
    {
        var floats = new float[t.ElementCount];
        return FloatWidening.TryWiden(t.ElementType, t.Data, floats) ? floats : [];
    }).ToArray();
}
