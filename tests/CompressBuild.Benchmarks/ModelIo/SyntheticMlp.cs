using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Benchmarks.ModelIo;

/// <summary>
/// A model shaped like a real MLP: layer after layer of MatMul (width x width float32 weight; 16 MiB at the default
/// width of 2048) + Add (bias) + Relu, with as many layers as it takes to reach the requested weight size. Values are seeded random, not
/// zeros, so nothing downstream (a compressing file system, a run of equal bytes) makes the I/O unrealistically cheap.
/// </summary>
internal static class SyntheticMlp
{
    public const int DefaultWidth = 2048;

    public static long LayerBytes(int width) => ((long)width * width + width) * sizeof(float);

    public static int LayersFor(long targetBytes, int width) => (int)Math.Max(1, (targetBytes + LayerBytes(width) - 1) / LayerBytes(width));

    public static ModelProto Build(int width, int layers, int seed)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "CompressBuild.Benchmarks", ProducerVersion = "1", Graph = new GraphProto { Name = "synthetic_mlp" } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        var graph = model.Graph;
        graph.Input.Add(FloatTensor("x", width));

        var random = new Random(seed);
        var scale = 1 / MathF.Sqrt(width);
        var current = "x";
        for (var layer = 0; layer < layers; layer++)
        {
            var weight = $"layer{layer}.weight";
            var bias = $"layer{layer}.bias";
            graph.Initializer.Add(TensorData.FromArray<float>(weight, [width, width], Uniform(random, checked(width * width), scale)));
            graph.Initializer.Add(TensorData.FromArray<float>(bias, [width], Uniform(random, width, scale)));

            var last = layer == layers - 1;
            var product = $"layer{layer}.matmul";
            var sum = last ? "y" : $"layer{layer}.add";
            graph.Node.Add(Node("MatMul", [current, weight], product));
            graph.Node.Add(Node("Add", [product, bias], sum));
            if (!last)
            {
                current = $"layer{layer}.relu";
                graph.Node.Add(Node("Relu", [sum], current));
            }
        }

        graph.Output.Add(FloatTensor("y", width));
        return model;
    }

    private static float[] Uniform(Random random, int count, float scale)
    {
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ((random.NextSingle() * 2) - 1) * scale;
        }

        return values;
    }

    private static NodeProto Node(string opType, string[] inputs, string output) =>
        new() { OpType = opType, Name = output, Input = { inputs }, Output = { output } };

    // [batch, width] with a symbolic batch, as exported MLPs have.
    private static ValueInfoProto FloatTensor(string name, int width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } } };
    }
}
