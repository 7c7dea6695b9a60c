using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// A small model holding one channel group's layers (every Conv, ConvTranspose or MatMul that produces, reads or
/// filters its channels) with the group shrunk to a given kept count: each layer on its own input, at the input's
/// real shape from shape inference, with its own attributes (strides, pads, kernel, depthwise <c>group</c>). Timing it
/// in ONNX Runtime measures what the group's count costs in the kernels the real model runs (NCHWc or im2col + GEMM),
/// without building the whole pruned model. Weights are seeded random values: kernels do not depend on them.
/// </summary>
internal static class ChannelCountProbe
{
    private static readonly string[] OpTypes = ["Conv", "ConvTranspose", "MatMul"];

    /// <returns>Null when no layer of the group can be probed (no known input shape, or only Gemm layers).</returns>
    public static OnnxModel? Build(ChannelGraph graph, IReadOnlyDictionary<string, long[]> shapes, IReadOnlySet<int> roots, int size, int keep)
    {
        var slices = graph.Slices.Where(s => s.InputIndex == 1 && s.Role is SliceRole.Producer or SliceRole.Consumer or SliceRole.Depthwise && OpTypes.Contains(s.Node.OpType))
            .Where(s => s.Channels.Any(id => roots.Contains(graph.Channels.Find(id)))).ToList();
        var proto = new ModelProto { IrVersion = graph.Model.Proto.IrVersion, Graph = new GraphProto { Name = "round_to_probe" } };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = graph.Model.OpsetVersion() });
        var random = new Random(17);
        foreach (var layer in slices.GroupBy(s => s.Node))
        {
            var node = layer.Key;
            if (!shapes.TryGetValue(node.Input[0], out var inputShape) || !graph.Constants.TryGetValue(node.Input[1], out var weight) || inputShape.Length < 2)
            {
                continue;
            }

            var input = inputShape.ToArray();
            var dims = weight.Dims.ToArray();
            var channelAxis = node.OpType == "MatMul" ? input.Length - 1 : 1;
            long? group = null;
            foreach (var slice in layer)
            {
                var inGroup = slice.Channels.Count(id => roots.Contains(graph.Channels.Find(id)));
                var shrunk = dims[slice.Axis] - inGroup + (int)Math.Round((double)inGroup * keep / size);
                dims[slice.Axis] = shrunk;
                if (slice.Role is SliceRole.Consumer or SliceRole.Depthwise)
                {
                    input[channelAxis] = slice.Role == SliceRole.Consumer && node.OpType == "Conv" ? shrunk * Group(node) : shrunk;
                }

                if (slice.Role == SliceRole.Depthwise)
                {
                    group = shrunk;
                }
            }

            var index = proto.Graph.Node.Count;
            proto.Graph.Input.Add(FloatValue($"x{index}", input));
            var count = dims.Aggregate(1L, (a, d) => a * d);
            var values = new float[count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (float)(random.NextDouble() - 0.5) * 0.1f;
            }

            proto.Graph.Initializer.Add(TensorData.FromArray($"w{index}", dims, values.AsSpan()));
            var probe = new NodeProto { OpType = node.OpType, Name = $"n{index}", Input = { $"x{index}", $"w{index}" }, Output = { $"y{index}" } };
            foreach (var attribute in node.Attribute)
            {
                var copy = attribute.Clone();
                if (copy.Name == "group" && group is { } g)
                {
                    copy.I = g;
                }

                probe.Attribute.Add(copy);
            }

            proto.Graph.Node.Add(probe);
            proto.Graph.Output.Add(new ValueInfoProto { Name = $"y{index}" });
        }

        return proto.Graph.Node.Count == 0 ? null : new OnnxModel(proto, baseDirectory: null);
    }

    private static long Group(NodeProto node) => node.Attribute.FirstOrDefault(a => a.Name == "group")?.I is { } g && g > 0 ? g : 1;

    private static ValueInfoProto FloatValue(string name, long[] shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
        foreach (var d in shape)
        {
            tensor.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}
