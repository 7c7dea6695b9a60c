using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Fusion;

/// <summary>
/// Folds per-channel affine ops that sit next to a Conv into its weights and bias, so that quantized Convs meet
/// each other (or a QLinear op) directly. Exporters of MobileNetV3-style nets (PaddlePaddle's "learnable affine
/// blocks", unfolded BatchNormalization) put a scalar Mul and Add after nearly every Conv and before the next
/// one; left in place, each sits between DequantizeLinear and QuantizeLinear, runs in float and costs a DQ/Q
/// pair. Folded, it costs nothing. Only exact rewrites are made:
/// <list type="bullet">
/// <item>Conv -> Mul(c) [-> Add(d)] and Conv -> BatchNormalization (inference form): W[m] *= a[m], b[m] = b[m] a[m] + d[m].</item>
/// <item>Mul(a) [-> Add(d)] -> Conv with scalar a and d: W *= a; d becomes bias d * sum(W[m]) when the Conv has no padding (exact),
/// otherwise an Add of d / a stays in front of the Conv (zero padding of a*x equals a times the zero padding of x).</item>
/// </list>
/// </summary>
internal static class ConvAffineFolding
{
    /// <summary>Rewrites the graph in place; returns the number of ops removed.</summary>
    public static int Apply(OnnxModel model)
    {
        var graph = model.Graph;
        var removed = 0;
        for (var changed = true; changed;)
        {
            changed = false;
            var index = GraphIndex.Build(graph);
            foreach (var conv in graph.Node.Where(n => n.OpType == "Conv" && n.Domain is "" or "ai.onnx").ToList())
            {
                var folded = FoldAfter(model, index, conv);
                if (folded > 0)
                {
                    removed += folded;
                    changed = true;
                    break;
                }
            }

            if (changed)
            {
                continue;
            }

            foreach (var mul in graph.Node.Where(n => n.OpType == "Mul" && n.Domain is "" or "ai.onnx").ToList())
            {
                var folded = FoldBefore(model, index, mul);
                if (folded > 0)
                {
                    removed += folded;
                    changed = true;
                    break;
                }
            }
        }

        return removed;
    }

    private static int FoldAfter(OnnxModel model, GraphIndex index, NodeProto conv)
    {
        if (!ConvWeights.TryRead(model, index, conv, out var weights) || !SoleConsumer(index, conv.Output[0], out var next))
        {
            return 0;
        }

        var channels = weights.OutputChannels;
        float[] scale, shift;
        var removedNodes = new List<NodeProto>();
        if (next.OpType == "BatchNormalization" && next.Output.Count(o => o.Length > 0) == 1 && BatchNorm(model, index, next, channels, out scale, out shift))
        {
            removedNodes.Add(next);
        }
        else if (next.OpType == "Mul" && PerChannelOperand(model, index, next, conv.Output[0], channels, weights.Rank, out scale))
        {
            removedNodes.Add(next);
            shift = new float[channels];
            if (SoleConsumer(index, next.Output[0], out var add) && add.OpType == "Add" && PerChannelOperand(model, index, add, next.Output[0], channels, weights.Rank, out var d))
            {
                shift = d;
                removedNodes.Add(add);
            }
        }
        else if (next.OpType == "Add" && PerChannelOperand(model, index, next, conv.Output[0], channels, weights.Rank, out shift))
        {
            removedNodes.Add(next);
            scale = Enumerable.Repeat(1f, channels).ToArray();
        }
        else
        {
            return 0;
        }

        for (var m = 0; m < channels; m++)
        {
            weights.ScaleOutputChannel(m, scale[m]);
            weights.Bias[m] = (weights.Bias[m] * scale[m]) + shift[m];
        }

        weights.WriteTo(model.Graph, conv);
        conv.Output[0] = removedNodes[^1].Output[0];
        foreach (var node in removedNodes)
        {
            model.Graph.Node.Remove(node);
        }

        return removedNodes.Count;
    }

    private static int FoldBefore(OnnxModel model, GraphIndex index, NodeProto mul)
    {
        var input = mul.Input.FirstOrDefault(i => !index.TryGetConstant(i, out _));
        if (input is null || !ScalarOperand(model, index, mul, input, out var a) || a == 0 || index.IsGraphOutput(mul.Output[0]))
        {
            return 0;
        }

        var value = mul.Output[0];
        var d = 0f;
        NodeProto? add = null;
        if (SoleConsumer(index, value, out var candidate) && candidate.OpType == "Add" && ScalarOperand(model, index, candidate, value, out d))
        {
            add = candidate;
            value = add.Output[0];
        }

        var convs = index.Consumers(value);
        if (convs.Count == 0 || index.IsGraphOutput(value) || convs.Any(c => c.OpType != "Conv" || c.Input[0] != value || c.Input.Skip(1).Contains(value)))
        {
            return 0;
        }

        var all = new List<ConvWeights>();
        foreach (var conv in convs)
        {
            if (!ConvWeights.TryRead(model, index, conv, out var w))
            {
                return 0;
            }

            all.Add(w);
        }

        // A padded Conv keeps an Add of d / a in front: one Add node shared by every such Conv.
        string? shifted = null;
        for (var k = 0; k < convs.Count; k++)
        {
            var conv = convs[k];
            var w = all[k];
            var sums = w.OutputChannelSums();
            for (var m = 0; m < w.OutputChannels; m++)
            {
                w.ScaleOutputChannel(m, a);
            }

            if (add is not null && w.HasPadding(conv))
            {
                if (shifted is null)
                {
                    var constant = UniqueInitializer(model.Graph, add.Name + "_folded", [], [d / a]);
                    shifted = add.Output[0] + "_shifted";
                    var node = new NodeProto { OpType = "Add", Name = add.Name + "_folded", Domain = "" };
                    node.Input.Add([input, constant]);
                    node.Output.Add(shifted);
                    model.Graph.Node.Insert(model.Graph.Node.IndexOf(add), node);
                }

                conv.Input[0] = shifted;
            }
            else
            {
                for (var m = 0; m < w.OutputChannels; m++)
                {
                    w.Bias[m] += d * sums[m];
                }

                conv.Input[0] = input;
            }

            w.WriteTo(model.Graph, conv);
        }

        model.Graph.Node.Remove(mul);
        if (add is not null)
        {
            model.Graph.Node.Remove(add);
        }

        return add is null ? 1 : 2;
    }

    private static bool SoleConsumer(GraphIndex index, string value, out NodeProto consumer)
    {
        var consumers = index.Consumers(value);
        consumer = consumers.Count == 1 ? consumers[0] : null!;
        return consumers.Count == 1 && !index.IsGraphOutput(value) && consumer.Domain is "" or "ai.onnx";
    }

    /// <summary>The other operand of a binary op fed by <paramref name="value"/>, when it is a float constant that broadcasts per channel of an NCHW value.</summary>
    private static bool PerChannelOperand(OnnxModel model, GraphIndex index, NodeProto node, string value, int channels, int rank, out float[] perChannel)
    {
        perChannel = null!;
        if (node.Input.Count != 2 || node.Input.Count(i => i == value) != 1 || node.Output.Count != 1)
        {
            return false;
        }

        var other = node.Input[0] == value ? node.Input[1] : node.Input[0];
        if (!index.TryGetConstant(other, out var tensor) || tensor.DataType != (int)TensorProto.Types.DataType.Float || tensor.Dims.Count > rank)
        {
            return false;
        }

        var values = TensorData.ToSingles(tensor, model);
        if (values.Length == 1 && tensor.Dims.Count <= rank)
        {
            perChannel = Enumerable.Repeat(values[0], channels).ToArray();
            return true;
        }

        // Right-aligned broadcasting: the constant's own channel axis is rank - 1 - (rank - 2) from its end.
        var channelAxis = tensor.Dims.Count - (rank - 1);
        if (channelAxis < 0 || tensor.Dims[channelAxis] != channels || tensor.Dims.Where((d, i) => i != channelAxis && d != 1).Any())
        {
            return false;
        }

        perChannel = values;
        return true;
    }

    private static bool ScalarOperand(OnnxModel model, GraphIndex index, NodeProto node, string value, out float scalar)
    {
        scalar = 0;
        if (node.Input.Count != 2 || node.Input.Count(i => i == value) != 1 || node.Output.Count != 1 || node.Domain is not ("" or "ai.onnx"))
        {
            return false;
        }

        var other = node.Input[0] == value ? node.Input[1] : node.Input[0];
        if (!index.TryGetConstant(other, out var tensor) || tensor.DataType != (int)TensorProto.Types.DataType.Float || TensorShape.ElementCount(tensor) != 1 || tensor.Dims.Count > 1)
        {
            return false;
        }

        scalar = TensorData.ToSingles(tensor, model)[0];
        return float.IsFinite(scalar);
    }

    private static bool BatchNorm(OnnxModel model, GraphIndex index, NodeProto bn, int channels, out float[] scale, out float[] shift)
    {
        scale = shift = null!;
        var parts = new float[4][];
        for (var i = 0; i < 4; i++)
        {
            if (bn.Input.Count < 5 || !index.TryGetConstant(bn.Input[i + 1], out var t) || t.DataType != (int)TensorProto.Types.DataType.Float || TensorShape.ElementCount(t) != channels)
            {
                return false;
            }

            parts[i] = TensorData.ToSingles(t, model);
        }

        if (NodeAttributes.Int(bn, "training_mode", 0) != 0)
        {
            return false;
        }

        var epsilon = NodeAttributes.Float(bn, "epsilon", 1e-5f);
        scale = new float[channels];
        shift = new float[channels];
        for (var c = 0; c < channels; c++)
        {
            scale[c] = (float)(parts[0][c] / Math.Sqrt(parts[3][c] + (double)epsilon));
            shift[c] = parts[1][c] - (parts[2][c] * scale[c]);
        }

        return true;
    }

    internal static string UniqueInitializer(GraphProto graph, string wanted, long[] dims, float[] values)
    {
        var taken = graph.Initializer.Select(i => i.Name).Concat(graph.Node.SelectMany(n => n.Output)).Concat(graph.Input.Select(i => i.Name)).ToHashSet(StringComparer.Ordinal);
        var name = wanted;
        for (var i = 1; taken.Contains(name); i++)
        {
            name = $"{wanted}_{i}";
        }

        graph.Initializer.Add(TensorData.FromArray<float>(name, dims, values));
        return name;
    }
}
