using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Fusion;

/// <summary>A Conv's constant weight [M, C/group, k...] and bias [M] (zeros when it had none), edited as float and written back as new initializers.</summary>
internal sealed class ConvWeights
{
    private ConvWeights(float[] weight, IReadOnlyList<long> dims, float[] bias, string weightName)
    {
        Weight = weight;
        Dims = dims.ToArray();
        Bias = bias;
        WeightName = weightName;
    }

    public float[] Weight { get; }

    public long[] Dims { get; }

    public float[] Bias { get; }

    public string WeightName { get; }

    public int OutputChannels => (int)Dims[0];

    public int Rank => Dims.Length;

    private int PerChannel => Weight.Length / OutputChannels;

    public static bool TryRead(OnnxModel model, GraphIndex index, NodeProto conv, out ConvWeights weights)
    {
        weights = null!;
        if (conv.Input.Count < 2 || !index.TryGetConstant(conv.Input[1], out var w) || w.DataType != (int)TensorProto.Types.DataType.Float || w.Dims.Count < 3 || w.Dims[0] <= 0)
        {
            return false;
        }

        var channels = (int)w.Dims[0];
        var bias = new float[channels];
        if (conv.Input.Count > 2 && conv.Input[2].Length > 0)
        {
            if (!index.TryGetConstant(conv.Input[2], out var b) || b.DataType != (int)TensorProto.Types.DataType.Float || TensorShape.ElementCount(b) != channels)
            {
                return false;
            }

            bias = TensorData.ToSingles(b, model);
        }

        weights = new ConvWeights(TensorData.ToSingles(w, model), w.Dims, bias, conv.Input[1]);
        return true;
    }

    public void ScaleOutputChannel(int m, float factor)
    {
        var span = Weight.AsSpan(m * PerChannel, PerChannel);
        System.Numerics.Tensors.TensorPrimitives.Multiply(span, factor, span);
    }

    public float[] OutputChannelSums()
    {
        var sums = new float[OutputChannels];
        for (var m = 0; m < sums.Length; m++)
        {
            sums[m] = System.Numerics.Tensors.TensorPrimitives.Sum(Weight.AsSpan(m * PerChannel, PerChannel));
        }

        return sums;
    }

    /// <summary>Whether any output position reads padding (explicit pads, or an auto_pad other than VALID).</summary>
    public bool HasPadding(NodeProto conv)
    {
        var autoPad = NodeAttributes.String(conv, "auto_pad", "NOTSET");
        if (autoPad is "SAME_UPPER" or "SAME_LOWER")
        {
            return Dims.Skip(2).Any(k => k > 1);
        }

        return NodeAttributes.Ints(conv, "pads") is { } pads && pads.Any(p => p != 0);
    }

    /// <summary>Points the Conv at new initializers holding the edited weight and bias (the old ones may be shared).</summary>
    public void WriteTo(GraphProto graph, NodeProto conv)
    {
        conv.Input[1] = ConvAffineFolding.UniqueInitializer(graph, conv.Name + "_folded_W", Dims, Weight);
        var bias = ConvAffineFolding.UniqueInitializer(graph, conv.Name + "_folded_B", [OutputChannels], Bias);
        if (conv.Input.Count > 2)
        {
            conv.Input[2] = bias;
        }
        else
        {
            conv.Input.Add(bias);
        }
    }
}
