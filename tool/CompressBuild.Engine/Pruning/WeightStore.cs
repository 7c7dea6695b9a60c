using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning;

/// <summary>Reads float weights and writes pruned ones back in place of their initializer (same name and position).</summary>
internal static class WeightStore
{
    public static TensorProto Replace(GraphProto graph, TensorProto old, ReadOnlySpan<long> dims, ReadOnlySpan<float> values)
    {
        var replacement = TensorData.FromArray(old.Name, dims, values);
        replacement.DocString = old.DocString;
        var index = graph.Initializer.IndexOf(old);
        graph.Initializer[index] = replacement;
        return replacement;
    }

    public static long CountZeros(ReadOnlySpan<float> values)
    {
        long zeros = 0;
        foreach (var v in values)
        {
            if (v == 0)
            {
                zeros++;
            }
        }

        return zeros;
    }

    /// <summary>Every float32 weight of the graph (initializers and Constant nodes) and how many are non-zero.</summary>
    public static (long Parameters, long NonZero) Totals(OnnxModel model)
    {
        long parameters = 0, nonZero = 0;
        foreach (var tensor in ModelTensors.InGraph(model.Graph))
        {
            if (tensor.DataType == (int)TensorProto.Types.DataType.Float)
            {
                var values = TensorData.ToSingles(tensor, model);
                parameters += values.Length;
                nonZero += values.Length - CountZeros(values);
            }
        }

        return (parameters, nonZero);
    }
}
