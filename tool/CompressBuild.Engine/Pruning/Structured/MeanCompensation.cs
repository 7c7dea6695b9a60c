using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// With calibration data, a removed channel is replaced by its mean instead of by zero: each Conv / Gemm that read
/// it gets <c>sum_k W[o, c, k] * mean(c)</c> added to its bias. A ReLU channel is rarely zero on average, so
/// dropping it outright shifts every later activation; folding its mean keeps the next layer's output centred.
/// (Near zero-padded borders a Conv sees fewer taps, so there the fold is approximate.)
/// </summary>
internal static class MeanCompensation
{
    /// <summary>Gives every Conv (group 1) and Gemm with a constant weight a zero bias if it has none, so there is one to fold into.</summary>
    public static void AddMissingBiases(GraphProto graph)
    {
        var initializers = graph.Initializer.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var names = graph.Initializer.Select(t => t.Name).Concat(graph.Node.SelectMany(n => n.Output)).ToHashSet(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            var eligible = node.OpType == "Conv" ? ConvForm.GroupOf(node) == 1 : node.OpType == "Gemm";
            if (!eligible || node.Domain is not ("" or "ai.onnx") || node.Input.Count < 2 || (node.Input.Count > 2 && node.Input[2].Length > 0)
                || !initializers.TryGetValue(node.Input[1], out var weight) || weight.DataType != (int)TensorProto.Types.DataType.Float || weight.Dims.Count < 2)
            {
                continue;
            }

            var outputs = node.OpType == "Gemm" && GemmForm.Of(node, weight.Dims) is { } gemm ? gemm.N : weight.Dims[0];
            var name = $"{weight.Name}_bias";
            for (var k = 2; !names.Add(name); k++)
            {
                name = $"{weight.Name}_bias{k}";
            }

            graph.Initializer.Add(TensorData.FromArray<float>(name, [outputs], new float[outputs]));
            if (node.Input.Count > 2)
            {
                node.Input[2] = name;
            }
            else
            {
                node.Input.Add(name);
            }
        }
    }

    /// <param name="skip">Consumers already re-solved by least squares (their bias holds the compensation).</param>
    public static void Apply(ChannelGraph graph, OnnxModel model, PruneSettings settings, HashSet<int> removed, IReadOnlySet<NodeProto> skip)
    {
        var consumers = graph.Slices
            .Where(s => !skip.Contains(s.Node) && s.Role == SliceRole.Consumer && s.Node.OpType is "Conv" or "Gemm" && s.Node.Input.Count > 2 && s.Node.Input[2].Length > 0
                && graph.Constants.ContainsKey(s.Node.Input[2]) && s.Channels.Any(c => removed.Contains(graph.Channels.Find(c))))
            .ToList();
        var references = model.Graph.Node.SelectMany(n => n.Input).GroupBy(i => i, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        consumers = consumers.Where(s => references[s.Node.Input[2]] == 1).ToList();
        if (consumers.Count == 0)
        {
            return;
        }

        var inputs = consumers.Select(s => s.Node.Input[0]).Distinct(StringComparer.Ordinal).ToList();
        var spaces = inputs.Select(name => graph.Spaces.Single(s => s.Value == name)).ToList();
        var (means, _) = CalibrationSet.ChannelMoments(model, CalibrationSet.Open(model, settings), spaces.Select(s => (s.Value, s.Axis, s.Count)).ToList());
        foreach (var slice in consumers)
        {
            var node = slice.Node;
            var mean = means[inputs.IndexOf(node.Input[0])];
            var weight = graph.Constants[node.Input[1]];
            var w = TensorData.ToSingles(weight, model);
            var bias = graph.Constants[node.Input[2]];
            var b = TensorData.ToSingles(bias, model);
            var gemm = node.OpType == "Gemm" ? GemmForm.Of(node, weight.Dims) : null;
            var (alpha, beta) = gemm is null ? (1f, 1f) : (gemm.Alpha, gemm.Beta);
            var outputAxis = 1 - slice.Axis;
            var outputs = (int)weight.Dims[outputAxis];
            if (b.Length != outputs || beta == 0)
            {
                continue;
            }

            var delta = new double[outputs];
            for (var i = 0; i < slice.Channels.Length; i++)
            {
                if (!removed.Contains(graph.Channels.Find(slice.Channels[i])) || mean[i] == 0)
                {
                    continue;
                }

                for (var o = 0; o < outputs; o++)
                {
                    delta[o] += Taps(w, weight.Dims, slice.Axis, i, o) * mean[i];
                }
            }

            for (var o = 0; o < outputs; o++)
            {
                b[o] += (float)(delta[o] * alpha / beta);
            }

            graph.ReplaceConstant(bias, WeightStore.Replace(model.Graph, bias, bias.Dims.ToArray(), b));
        }
    }

    /// <summary>Sum of the weights at output <paramref name="o"/> and input <paramref name="i"/> over the remaining (kernel) axes.</summary>
    private static double Taps(float[] w, Google.Protobuf.Collections.RepeatedField<long> dims, int inputAxis, int i, int o)
    {
        // Conv [O, I, k...] (inputAxis 1) and Gemm [N, K] (1) or [K, N] (0): the two leading axes are output and input.
        long inner = 1;
        for (var d = 2; d < dims.Count; d++)
        {
            inner *= dims[d];
        }

        var (row, column) = inputAxis == 1 ? (o, i) : (i, o);
        var start = ((row * dims[1]) + column) * inner;
        var sum = 0.0;
        for (long k = 0; k < inner; k++)
        {
            sum += w[start + k];
        }

        return sum;
    }
}
