using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Fusion;

namespace CompressBuild.Engine.Quantization.Smoothing;

/// <summary>
/// The constant weights that read a smoothed tensor: Conv W[M, C/group, k...] (input channel c of slice (m, j) is
/// m's group times C/group plus j), MatMul B[K, N] (row k) and Gemm B (row k, or column k with transB). They take s
/// on their input channels, which cancels the 1/s the producer folded in.
/// </summary>
internal static class ConsumerWeights
{
    /// <summary>Whether <paramref name="consumer"/> reads <paramref name="x"/> as its data input through constant float weights, and on which axis and how many channels.</summary>
    public static bool TryRead(OnnxModel model, GraphIndex index, NodeProto consumer, string x, out ChannelAxis axis, out int channels, out int rank)
    {
        (axis, channels, rank) = (ChannelAxis.Last, 0, 0);
        if (consumer.Domain is not ("" or "ai.onnx") || consumer.Input.Count < 2 || consumer.Input[0] != x || consumer.Input.Skip(1).Contains(x))
        {
            return false;
        }

        switch (consumer.OpType)
        {
            case "Conv" when ConvWeights.TryRead(model, index, consumer, out var w) && Group(consumer) is > 0 and var g && w.OutputChannels % g == 0:
                (axis, channels, rank) = (ChannelAxis.Second, (int)(w.Dims[1] * g), w.Rank);
                return true;
            case "MatMul" when Matrix(index, consumer.Input[1]) is { } b:
                channels = (int)b.Dims[0];
                return true;
            case "Gemm" when NodeAttributes.Int(consumer, "transA", 0) == 0 && Matrix(index, consumer.Input[1]) is { } b:
                (channels, rank) = ((int)b.Dims[NodeAttributes.Int(consumer, "transB", 0) == 0 ? 0 : 1], 2);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The largest |weight| reading each input channel.</summary>
    public static float[] InputChannelMaxima(OnnxModel model, GraphIndex index, NodeProto consumer, int channels)
    {
        var maxima = new float[channels];
        Visit(model, index, consumer, channels, (c, span) => maxima[c] = Math.Max(maxima[c], Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(span))));
        return maxima;
    }

    /// <summary>Multiplies every weight reading input channel c by <paramref name="s"/>[c], in a new initializer.</summary>
    public static void Scale(OnnxModel model, GraphIndex index, NodeProto consumer, float[] s)
    {
        index.TryGetConstant(consumer.Input[1], out var original);
        var values = Visit(model, index, consumer, s.Length, (c, span) => System.Numerics.Tensors.TensorPrimitives.Multiply(span, s[c], span));
        consumer.Input[1] = ConvAffineFolding.UniqueInitializer(model.Graph, consumer.Name + "_smoothed_W", [.. original.Dims], values);
    }

    /// <summary>Hands each run of weights that reads one input channel to <paramref name="action"/>; returns the (possibly edited) values.</summary>
    private static float[] Visit(OnnxModel model, GraphIndex index, NodeProto consumer, int channels, Action<int, Span<float>> action)
    {
        index.TryGetConstant(consumer.Input[1], out var tensor);
        var values = TensorData.ToSingles(tensor, model);
        if (consumer.OpType == "Conv")
        {
            var outputs = (int)tensor.Dims[0];
            var group = (int)Group(consumer);
            var perGroupIn = channels / group;
            var perGroupOut = outputs / group;
            var kernel = values.Length / (outputs * perGroupIn);
            for (var m = 0; m < outputs; m++)
            {
                for (var j = 0; j < perGroupIn; j++)
                {
                    action((m / perGroupOut * perGroupIn) + j, values.AsSpan(((m * perGroupIn) + j) * kernel, kernel));
                }
            }

            return values;
        }

        var (rows, cols) = ((int)tensor.Dims[0], (int)tensor.Dims[1]);
        if (consumer.OpType == "Gemm" && NodeAttributes.Int(consumer, "transB", 0) != 0)
        {
            // B is [N, K]: input channel k is column k, one element per row.
            for (var r = 0; r < rows; r++)
            {
                for (var k = 0; k < cols; k++)
                {
                    action(k, values.AsSpan((r * cols) + k, 1));
                }
            }

            return values;
        }

        for (var k = 0; k < rows; k++)
        {
            action(k, values.AsSpan(k * cols, cols));
        }

        return values;
    }

    private static long Group(NodeProto conv) => NodeAttributes.Int(conv, "group", 1);

    private static TensorProto? Matrix(GraphIndex index, string name) =>
        index.TryGetConstant(name, out var t) && t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count == 2 && t.Dims[0] > 0 && t.Dims[1] > 0 ? t : null;
}
