using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using Google.Protobuf;

namespace CompressBuild.Testing;

/// <summary>Small hand-built models for tests that need a specific graph shape.</summary>
internal static class TestModels
{
    public static ModelProto Empty(long opset = 13)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "tests", Graph = new GraphProto { Name = "g" } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    public static ValueInfoProto Tensor(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d is string s ? new TensorShapeProto.Types.Dimension { DimParam = s }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture) });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

    public static NodeProto Node(string opType, string[] inputs, string[] outputs, string? name = null) =>
        new() { OpType = opType, Name = name ?? outputs[0], Input = { inputs }, Output = { outputs } };

    /// <summary>y = x + w (float, shape [n]), with w an initializer of <paramref name="n"/> known values i * 0.5.</summary>
    public static ModelProto AddWeight(int n, string weightName = "w")
    {
        var model = Empty();
        var values = Enumerable.Range(0, n).Select(i => i * 0.5f).ToArray();
        model.Graph.Initializer.Add(TensorData.FromArray<float>(weightName, [n], values));
        model.Graph.Node.Add(Node("Add", ["x", weightName], ["y"]));
        model.Graph.Input.Add(Tensor("x", TensorProto.Types.DataType.Float, n));
        model.Graph.Output.Add(Tensor("y", TensorProto.Types.DataType.Float, n));
        return model;
    }

    public static string Write(ModelProto model, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }
}
