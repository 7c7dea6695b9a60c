using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Benchmarks.Pruning;

/// <summary>
/// A ResNet-style CNN with seeded random (He) weights, built in memory: input [1,3,32,32], a stem Conv to
/// <c>width</c> channels, residual blocks (Conv-ReLU-Conv, Add skip, ReLU), a widening Conv to 2x width, global
/// pooling and a Gemm classifier. The 8x8 fixtures are too small for ONNX Runtime to show what channel pruning buys.
/// </summary>
internal static class WideCnn
{
    public static OnnxModel Create(int width, int blocks, int seed = 42)
    {
        var random = new Random(seed);
        var model = new ModelProto { IrVersion = 8, ProducerName = "CompressBuild.Benchmarks", Graph = new GraphProto { Name = "wide_cnn" } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        var g = model.Graph;
        g.Input.Add(Value("input", 1, 3, 32, 32));
        g.Output.Add(Value("logits", 1, 10));

        var x = Conv(g, random, "stem", "input", 3, width, relu: true);
        for (var b = 0; b < blocks; b++)
        {
            var h = Conv(g, random, $"block{b}.conv1", x, width, width, relu: true);
            h = Conv(g, random, $"block{b}.conv2", h, width, width, relu: false);
            g.Node.Add(Node("Add", [h, x], $"block{b}.add"));
            g.Node.Add(Node("Relu", [$"block{b}.add"], $"block{b}.out"));
            x = $"block{b}.out";
        }

        x = Conv(g, random, "widen", x, width, 2 * width, relu: true);
        g.Node.Add(Node("GlobalAveragePool", [x], "pool"));
        g.Node.Add(Node("Flatten", ["pool"], "flat"));
        g.Initializer.Add(TensorData.FromArray<float>("fc.weight", [10, 2 * width], He(random, 10 * 2 * width, 2 * width)));
        g.Initializer.Add(TensorData.FromArray<float>("fc.bias", [10], new float[10]));
        var gemm = Node("Gemm", ["flat", "fc.weight", "fc.bias"], "logits");
        gemm.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        g.Node.Add(gemm);
        return new OnnxModel(model, baseDirectory: null);
    }

    private static string Conv(GraphProto g, Random random, string name, string input, int inChannels, int outChannels, bool relu)
    {
        g.Initializer.Add(TensorData.FromArray<float>($"{name}.weight", [outChannels, inChannels, 3, 3], He(random, outChannels * inChannels * 9, inChannels * 9)));
        g.Initializer.Add(TensorData.FromArray<float>($"{name}.bias", [outChannels], He(random, outChannels, 100)));
        var conv = Node("Conv", [input, $"{name}.weight", $"{name}.bias"], $"{name}.conv");
        conv.Attribute.Add(new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1, 1, 1 } });
        conv.Attribute.Add(new AttributeProto { Name = "kernel_shape", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 3, 3 } });
        g.Node.Add(conv);
        if (!relu)
        {
            return $"{name}.conv";
        }

        g.Node.Add(Node("Relu", [$"{name}.conv"], $"{name}.relu"));
        return $"{name}.relu";
    }

    private static float[] He(Random random, int count, int fanIn)
    {
        var scale = Math.Sqrt(2.0 / fanIn);
        return Enumerable.Range(0, count).Select(_ => (float)(scale * ((random.NextDouble() * 2) - 1) * Math.Sqrt(3))).ToArray();
    }

    private static NodeProto Node(string op, string[] inputs, string output) => new() { OpType = op, Name = output, Input = { inputs }, Output = { output } };

    private static ValueInfoProto Value(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } } };
    }
}
