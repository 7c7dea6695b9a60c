using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// A^T-free Gram products through ONNX Runtime's own GEMM (MLAS): a one-node Gemm(A, B, transB = 1) model, fed the
/// column-major chunks [columns, rows] as row-major matrices, returns A B^T = X_a^T X_b. Measured on the digits CNN
/// (288 columns), this accumulates several times faster than one vectorized dot product per entry.
/// </summary>
internal static class GramKernel
{
    private static readonly Lazy<InferenceSession> Session = new(Open, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Returns <paramref name="left"/> [n, rows] times <paramref name="right"/> [m, rows] transposed, row-major [n, m].</summary>
    public static float[] Multiply(float[] left, int n, float[] right, int m, int rows)
    {
        var a = HostTensor.FromArray<float>("A", [n, rows], left.AsSpan(0, n * rows));
        var b = ReferenceEquals(left, right) ? HostTensor.FromArray<float>("B", [m, rows], left.AsSpan(0, m * rows)) : HostTensor.FromArray<float>("B", [m, rows], right.AsSpan(0, m * rows));
        var result = Session.Value.Run([a, b]);
        return result[0].AsSpan<float>().ToArray();
    }

    private static InferenceSession Open()
    {
        var graph = new GraphProto { Name = "gram" };
        graph.Input.Add(Value("A", "n"));
        graph.Input.Add(Value("B", "m"));
        graph.Output.Add(Value("Y", "n"));
        var node = new NodeProto { OpType = "Gemm", Name = "gram" };
        node.Input.Add(["A", "B"]);
        node.Output.Add("Y");
        node.Attribute.Add(new AttributeProto { Name = "transB", I = 1, Type = AttributeProto.Types.AttributeType.Int });
        graph.Node.Add(node);
        var proto = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "CompressBuild" };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return ModelSessions.Open(new OnnxModel(proto, null));
    }

    private static ValueInfoProto Value(string name, string rows)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = rows });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = name == "Y" ? "m" : "r" });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } } };
    }
}
