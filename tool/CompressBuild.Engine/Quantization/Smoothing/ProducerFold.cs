using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Fusion;

namespace CompressBuild.Engine.Quantization.Smoothing;

/// <summary>
/// Where 1/s goes so that a tensor comes out divided by s, channel by channel, with nothing else in the graph changed:
/// the constants of the node that computes it (a linear map or a per-channel affine step), and of the constant bias Add
/// behind it. Only these are exact by construction: a nonlinearity between the constants and the tensor (HardSwish,
/// Sigmoid, Softmax, GELU...) would see a different input.
/// </summary>
internal sealed class ProducerFold
{
    private ProducerFold(ProducerKind kind, NodeProto node, int constantInput, NodeProto? add, int addConstantInput)
    {
        Kind = kind;
        Node = node;
        ConstantInput = constantInput;
        Add = add;
        AddConstantInput = addConstantInput;
    }

    public ProducerKind Kind { get; }

    /// <summary>The node whose constants take 1/s.</summary>
    public NodeProto Node { get; }

    /// <summary>For <see cref="ProducerKind.Affine"/>: which input of the Mul is its constant factor.</summary>
    private int ConstantInput { get; }

    /// <summary>The Add of a constant bias that follows <see cref="Node"/>, if the tensor is its output.</summary>
    private NodeProto? Add { get; }

    private int AddConstantInput { get; }

    /// <summary>The fold that makes <paramref name="value"/> come out divided by s; null where no exact one exists.</summary>
    public static ProducerFold? Find(OnnxModel model, GraphIndex index, string value, ChannelAxis axis, int rank, int channels)
    {
        if (index.Producer(value) is not { } node || node.Domain is not ("" or "ai.onnx"))
        {
            return null;
        }

        if (node.OpType == "Add" && node.Input.Count == 2)
        {
            for (var c = 0; c < 2; c++)
            {
                var other = node.Input[1 - c];
                if (ChannelVector.TryRead(model, index, node.Input[c], axis, rank, channels, out _) && !index.TryGetConstant(other, out _)
                    && SmoothingSites.SoleReader(index, other) && Linear(model, index, other, axis, rank, channels) is { } inner)
                {
                    return new ProducerFold(inner.Kind, inner.Node, inner.ConstantInput, node, c);
                }
            }

            return null;
        }

        return Linear(model, index, value, axis, rank, channels) ?? Normalization(model, index, node, axis, rank, channels);
    }

    private static ProducerFold? Linear(OnnxModel model, GraphIndex index, string value, ChannelAxis axis, int rank, int channels)
    {
        if (index.Producer(value) is not { } node || node.Domain is not ("" or "ai.onnx") || node.Output.Count != 1)
        {
            return null;
        }

        switch (node.OpType)
        {
            case "Conv" when axis == ChannelAxis.Second && ConvWeights.TryRead(model, index, node, out var w) && w.OutputChannels == channels && w.Rank == rank:
                return new ProducerFold(ProducerKind.Conv, node, 1, null, 0);
            case "MatMul" when axis == ChannelAxis.Last && Matrix(index, node.Input[1]) is { } b && b.Dims[1] == channels && !index.TryGetConstant(node.Input[0], out _):
                return new ProducerFold(ProducerKind.MatMul, node, 1, null, 0);
            case "Gemm" when axis == ChannelAxis.Last && NodeAttributes.Int(node, "transA", 0) == 0 && Matrix(index, node.Input[1]) is { } b
                && b.Dims[NodeAttributes.Int(node, "transB", 0) == 0 ? 1 : 0] == channels
                && (node.Input.Count < 3 || node.Input[2].Length == 0 || ChannelVector.TryRead(model, index, node.Input[2], axis, 2, channels, out _)):
                return new ProducerFold(ProducerKind.Gemm, node, 1, null, 0);
            case "Mul" when node.Input.Count == 2:
                for (var c = 0; c < 2; c++)
                {
                    if (ChannelVector.TryRead(model, index, node.Input[c], axis, rank, channels, out _) && !index.TryGetConstant(node.Input[1 - c], out _))
                    {
                        return new ProducerFold(ProducerKind.Affine, node, c, null, 0);
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static ProducerFold? Normalization(OnnxModel model, GraphIndex index, NodeProto node, ChannelAxis axis, int rank, int channels)
    {
        bool Vector(int input) => node.Input.Count > input && node.Input[input].Length > 0
            && index.TryGetConstant(node.Input[input], out var t) && TensorShape.ElementCount(t) == channels
            && ChannelVector.TryRead(model, index, node.Input[input], ChannelAxis.Last, 0, channels, out _);
        bool VectorOrAbsent(int input) => node.Input.Count <= input || node.Input[input].Length == 0 || Vector(input);
        return node.OpType switch
        {
            // LayerNormalization's axis may be given as -1 or as rank - 1; only the last axis alone makes Scale and B per-channel.
            "LayerNormalization" when axis == ChannelAxis.Last && NodeAttributes.Int(node, "axis", -1) is var a && (a == -1 || (rank > 0 && a == rank - 1))
                && Vector(1) && VectorOrAbsent(2) => new ProducerFold(ProducerKind.LayerNormalization, node, 1, null, 0),
            "BatchNormalization" when axis == ChannelAxis.Second && node.Output.Skip(1).All(o => o.Length == 0) && Vector(1) && Vector(2)
                && NodeAttributes.Int(node, "training_mode", 0) == 0 => new ProducerFold(ProducerKind.BatchNormalization, node, 1, null, 0),
            _ => null,
        };
    }

    private static TensorProto? Matrix(GraphIndex index, string name) =>
        index.TryGetConstant(name, out var t) && t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count == 2 ? t : null;

    /// <summary>Divides the producer's output channel j by <paramref name="s"/>[j]: every constant that reaches the tensor linearly.</summary>
    public void Apply(OnnxModel model, GraphIndex index, float[] s, ChannelAxis axis, int rank)
    {
        var graph = model.Graph;
        var channels = s.Length;
        switch (Kind)
        {
            case ProducerKind.Conv:
                ConvWeights.TryRead(model, index, Node, out var w);
                for (var m = 0; m < channels; m++)
                {
                    w.ScaleOutputChannel(m, 1f / s[m]);
                    w.Bias[m] /= s[m];
                }

                w.WriteTo(graph, Node);
                break;
            case ProducerKind.MatMul:
            case ProducerKind.Gemm:
                DivideColumns(model, index, s);
                break;
            case ProducerKind.Affine:
                DivideVector(model, index, Node, ConstantInput, s, axis, rank);
                break;
            case ProducerKind.LayerNormalization:
            case ProducerKind.BatchNormalization:
                DivideVector(model, index, Node, 1, s, ChannelAxis.Last, 0);
                if (Node.Input.Count > 2 && Node.Input[2].Length > 0)
                {
                    DivideVector(model, index, Node, 2, s, ChannelAxis.Last, 0);
                }

                break;
        }

        if (Add is not null)
        {
            DivideVector(model, index, Add, AddConstantInput, s, axis, rank);
        }
    }

    private void DivideColumns(OnnxModel model, GraphIndex index, float[] s)
    {
        index.TryGetConstant(Node.Input[1], out var b);
        var values = TensorData.ToSingles(b, model);
        var (rows, cols) = ((int)b.Dims[0], (int)b.Dims[1]);
        var transposed = Kind == ProducerKind.Gemm && NodeAttributes.Int(Node, "transB", 0) != 0;
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++)
            {
                values[(r * cols) + c] /= s[transposed ? r : c];
            }
        }

        Node.Input[1] = ConvAffineFolding.UniqueInitializer(model.Graph, Node.Name + "_smoothed_B", [rows, cols], values);
        if (Kind == ProducerKind.Gemm && Node.Input.Count > 2 && Node.Input[2].Length > 0)
        {
            DivideVector(model, index, Node, 2, s, ChannelAxis.Last, 2);
        }
    }

    private static void DivideVector(OnnxModel model, GraphIndex index, NodeProto node, int input, float[] s, ChannelAxis axis, int rank)
    {
        ChannelVector.TryRead(model, index, node.Input[input], axis, rank, s.Length, out var values);
        index.TryGetConstant(node.Input[input], out var original);
        ChannelVector.WriteDivided(model.Graph, node, input, values, s, axis, rank, TensorShape.ElementCount(original) == s.Length ? original.Dims : null);
    }
}
