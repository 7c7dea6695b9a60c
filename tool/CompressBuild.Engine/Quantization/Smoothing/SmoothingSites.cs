using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Smoothing;

/// <summary>
/// Finds the tensors SmoothQuant can rescale exactly: every reader (Shape aside, which sees no values) takes the tensor
/// as the data input of a Conv, MatMul or Gemm with constant weights, all on the same channel axis; and walking back
/// through ops that commute with a positive per-channel scale (Relu and LeakyRelu, f(x / s) = f(x) / s for s &gt; 0;
/// on axis 1 also MaxPool and the average pools, which work channel by channel) reaches a <see cref="ProducerFold"/>,
/// each tensor on the way read by nothing else. A HardSwish, Sigmoid, Softmax or GELU on the way ends the walk: no
/// rescaling passes through them exactly.
/// </summary>
internal static class SmoothingSites
{
    public static IReadOnlyList<SmoothingSite> Find(OnnxModel model)
    {
        var index = GraphIndex.Build(model.Graph);
        var sites = new List<SmoothingSite>();
        foreach (var node in index.TopologicalOrder())
        {
            foreach (var x in node.Output.Where(o => o.Length > 0))
            {
                if (Site(model, index, x) is { } site)
                {
                    sites.Add(site);
                }
            }
        }

        return sites;
    }

    /// <summary>Whether <paramref name="value"/> has exactly one reader that sees its values, and is no graph output.</summary>
    public static bool SoleReader(GraphIndex index, string value) => !index.IsGraphOutput(value) && Readers(index, value).Count == 1;

    private static List<NodeProto> Readers(GraphIndex index, string value) => index.Consumers(value).Where(c => c.OpType != "Shape").Distinct().ToList();

    private static SmoothingSite? Site(OnnxModel model, GraphIndex index, string x)
    {
        var consumers = Readers(index, x);
        if (consumers.Count == 0 || index.IsGraphOutput(x))
        {
            return null;
        }

        ChannelAxis? axis = null;
        var (channels, rank) = (0, 0);
        foreach (var consumer in consumers)
        {
            if (!ConsumerWeights.TryRead(model, index, consumer, x, out var a, out var c, out var r) || (axis is { } known && (known != a || channels != c || rank != r)))
            {
                return null;
            }

            (axis, channels, rank) = (a, c, r);
        }

        var value = x;
        while (index.Producer(value) is { } op && Commutes(op, axis!.Value) && SoleReader(index, op.Input[0]) && op.Output.Skip(1).All(o => o.Length == 0))
        {
            value = op.Input[0];
        }

        return channels > 1 && ProducerFold.Find(model, index, value, axis!.Value, rank, channels) is { } fold
            ? new SmoothingSite(x, axis.Value, rank, channels, fold, consumers)
            : null;
    }

    private static bool Commutes(NodeProto op, ChannelAxis axis) => op.Domain is "" or "ai.onnx" && op.Input.Count >= 1 && op.OpType switch
    {
        "Relu" or "LeakyRelu" => true,
        "MaxPool" or "AveragePool" or "GlobalAveragePool" or "GlobalMaxPool" => axis == ChannelAxis.Second,
        _ => false,
    };
}
