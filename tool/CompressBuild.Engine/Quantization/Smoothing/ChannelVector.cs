using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Fusion;

namespace CompressBuild.Engine.Quantization.Smoothing;

/// <summary>
/// A constant operand that holds one value per channel of a tensor (or one value for all), read as C floats and
/// written back divided by s as a new initializer: the shared original may have other readers.
/// </summary>
internal static class ChannelVector
{
    /// <summary>
    /// Reads <paramref name="name"/> as <paramref name="channels"/> values: a scalar repeated, or a tensor whose only
    /// dimension above 1 lines up with the channel axis under right-aligned broadcasting (<paramref name="rank"/>, the
    /// smoothed tensor's rank, places axis 1; the last axis needs no rank).
    /// </summary>
    public static bool TryRead(OnnxModel model, GraphIndex index, string name, ChannelAxis axis, int rank, int channels, out float[] values)
    {
        values = [];
        if (!index.TryGetConstant(name, out var tensor) || tensor.DataType != (int)TensorProto.Types.DataType.Float)
        {
            return false;
        }

        var count = TensorShape.ElementCount(tensor);
        if (count == 1)
        {
            var one = TensorData.ToSingles(tensor, model)[0];
            values = Enumerable.Repeat(one, channels).ToArray();
            return axis == ChannelAxis.Last || rank >= 2;
        }

        if (count != channels || channels == 1)
        {
            return false;
        }

        var dims = tensor.Dims;
        var trailing = axis == ChannelAxis.Last ? 0 : rank - 2;
        var at = dims.Count - 1 - trailing;
        if (trailing < 0 || at < 0 || dims[at] != channels || dims.Where((d, i) => i != at && d != 1).Any() || (axis == ChannelAxis.Second && dims.Count > rank))
        {
            return false;
        }

        values = TensorData.ToSingles(tensor, model);
        return true;
    }

    /// <summary>Points input <paramref name="input"/> of <paramref name="node"/> at <paramref name="values"/> divided by <paramref name="s"/>, shaped to broadcast on the channel axis.</summary>
    public static void WriteDivided(GraphProto graph, NodeProto node, int input, float[] values, float[] s, ChannelAxis axis, int rank, IReadOnlyList<long>? dims)
    {
        var divided = new float[values.Length];
        System.Numerics.Tensors.TensorPrimitives.Divide(values, s, divided);
        var shape = dims is { } known && known.Aggregate(1L, (a, d) => a * d) == values.Length
            ? known.ToArray()
            : axis == ChannelAxis.Last ? [values.Length] : [values.Length, .. Enumerable.Repeat(1L, rank - 2)];
        node.Input[input] = ConvAffineFolding.UniqueInitializer(graph, node.Name + "_smoothed", shape, divided);
    }
}
