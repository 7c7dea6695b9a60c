using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Testing;
using Float = CompressBuild.Engine.Onnx.Proto.TensorProto.Types.DataType;

namespace CompressBuild.Engine.Tests.Pruning;

/// <summary>Small seeded random-weight graphs for the ops the fixtures lack: BatchNorm, broadcast constants, Reshape, MatMul, ConvTranspose, unknown ops.</summary>
internal sealed class SyntheticModels
{
    private readonly Random random = new(7);
    private readonly ModelProto model = TestModels.Empty();

    private GraphProto Graph => model.Graph;

    /// <summary>Conv-BN-Mul(const [1,8,1,1])-ReLU-MaxPool-Conv-ReLU-Reshape[0,-1]-MatMul-ReLU-MatMul; value_info on the first Conv.</summary>
    public static OnnxModel ConvBnReshapeMatMul()
    {
        var s = new SyntheticModels();
        s.Graph.Input.Add(TestModels.Tensor("x", Float.Float, 1, 3, 8, 8));
        s.Conv("c1", "x", 8, 3, 3);
        s.Const("bn.scale", 8);
        s.Const("bn.bias", 8);
        s.Const("bn.mean", 8);
        s.Graph.Initializer.Add(TensorData.FromArray<float>("bn.var", [8], Enumerable.Range(0, 8).Select(i => 0.5f + (i * 0.1f)).ToArray()));
        s.Graph.Node.Add(TestModels.Node("BatchNormalization", ["c1", "bn.scale", "bn.bias", "bn.mean", "bn.var"], ["b1"]));
        s.Const("k", 1, 8, 1, 1);
        s.Graph.Node.Add(TestModels.Node("Mul", ["b1", "k"], ["m1"]));
        s.Graph.Node.Add(TestModels.Node("Relu", ["m1"], ["r1"]));
        var pool = TestModels.Node("MaxPool", ["r1"], ["p1"]);
        pool.Attribute.Add(new AttributeProto { Name = "kernel_shape", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 2, 2 } });
        pool.Attribute.Add(new AttributeProto { Name = "strides", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 2, 2 } });
        s.Graph.Node.Add(pool);
        s.Conv("c2", "p1", 6, 8, 1);
        s.Graph.Node.Add(TestModels.Node("Relu", ["c2"], ["r2"]));
        s.Graph.Initializer.Add(TensorData.FromArray<long>("shape", [2], [0, -1]));
        s.Graph.Node.Add(TestModels.Node("Reshape", ["r2", "shape"], ["f"]));
        s.Const("w3", 96, 12);
        s.Graph.Node.Add(TestModels.Node("MatMul", ["f", "w3"], ["h"]));
        s.Graph.Node.Add(TestModels.Node("Relu", ["h"], ["hr"]));
        s.Const("w4", 12, 5);
        s.Graph.Node.Add(TestModels.Node("MatMul", ["hr", "w4"], ["y"]));
        s.Graph.Output.Add(TestModels.Tensor("y", Float.Float, 1, 5));
        s.Graph.ValueInfo.Add(TestModels.Tensor("c1", Float.Float, 1, 8, 8, 8));
        return new OnnxModel(s.model, null);
    }

    /// <summary>Conv-ReLU-ConvTranspose(stride 2)-ReLU-Conv.</summary>
    public static OnnxModel WithConvTranspose()
    {
        var s = new SyntheticModels();
        s.Graph.Input.Add(TestModels.Tensor("x", Float.Float, 1, 3, 8, 8));
        s.Conv("c1", "x", 8, 3, 3);
        s.Graph.Node.Add(TestModels.Node("Relu", ["c1"], ["r1"]));
        s.Const("tw", 8, 4, 2, 2);
        s.Const("tb", 4);
        var up = TestModels.Node("ConvTranspose", ["r1", "tw", "tb"], ["t1"]);
        up.Attribute.Add(new AttributeProto { Name = "strides", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 2, 2 } });
        s.Graph.Node.Add(up);
        s.Graph.Node.Add(TestModels.Node("Relu", ["t1"], ["r2"]));
        s.Conv("y", "r2", 5, 4, 1);
        s.Graph.Output.Add(TestModels.Tensor("y", Float.Float, 1, 5, 16, 16));
        return new OnnxModel(s.model, null);
    }

    /// <summary>Conv-Transpose: channel pruning cannot follow a Transpose, so the Conv's channels are protected.</summary>
    public static OnnxModel ConvIntoTranspose()
    {
        var s = new SyntheticModels();
        s.Graph.Input.Add(TestModels.Tensor("x", Float.Float, 1, 3, 8, 8));
        s.Conv("c1", "x", 8, 3, 3);
        var transpose = TestModels.Node("Transpose", ["c1"], ["y"]);
        transpose.Attribute.Add(new AttributeProto { Name = "perm", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 0, 2, 3, 1 } });
        s.Graph.Node.Add(transpose);
        s.Graph.Output.Add(TestModels.Tensor("y", Float.Float, 1, 8, 8, 8));
        return new OnnxModel(s.model, null);
    }

    private void Conv(string output, string input, int outChannels, int inChannels, int kernel)
    {
        Const($"{output}.w", outChannels, inChannels, kernel, kernel);
        Const($"{output}.b", outChannels);
        var node = TestModels.Node("Conv", [input, $"{output}.w", $"{output}.b"], [output]);
        var pad = kernel / 2;
        node.Attribute.Add(new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { pad, pad, pad, pad } });
        Graph.Node.Add(node);
    }

    private void Const(string name, params long[] dims)
    {
        var count = dims.Aggregate(1L, (a, d) => a * d);
        Graph.Initializer.Add(TensorData.FromArray<float>(name, dims, Enumerable.Range(0, (int)count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray()));
    }
}
