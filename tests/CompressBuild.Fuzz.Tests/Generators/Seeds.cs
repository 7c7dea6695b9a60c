using System.Text;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Testing;
using Google.Protobuf;

namespace CompressBuild.Fuzz.Tests.Generators;

/// <summary>The valid files the generators start from: the digits MLP, a tiny Gemm model, .npy arrays that fit them.</summary>
internal static class Seeds
{
    private static readonly Lazy<byte[]> MlpBytes = new(() => File.ReadAllBytes(Path.Combine(RepositoryPaths.Digits, "mlp.onnx")));

    public static byte[] Mlp => MlpBytes.Value;

    public static string MlpData => Path.Combine(RepositoryPaths.Digits, "test_x_flat.npy");

    public static string MlpLabels => Path.Combine(RepositoryPaths.Digits, "test_labels.npy");

    /// <summary>y = Relu(Gemm(x[N,8], W[4,8]ᵀ, b[4])): every pass handles it, and it runs in microseconds.</summary>
    public static ModelProto TinyGemm()
    {
        var model = TestModels.Empty();
        var random = new Random(7);
        var weights = Enumerable.Range(0, 32).Select(_ => random.NextSingle() - 0.5f).ToArray();
        model.Graph.Initializer.Add(TensorData.FromArray<float>("W", [4, 8], weights));
        model.Graph.Initializer.Add(TensorData.FromArray<float>("b", [4], [0.1f, -0.2f, 0.3f, 0f]));
        var gemm = TestModels.Node("Gemm", ["x", "W", "b"], ["h"]);
        gemm.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        model.Graph.Node.Add(gemm);
        model.Graph.Node.Add(TestModels.Node("Relu", ["h"], ["y"]));
        model.Graph.Input.Add(TestModels.Tensor("x", TensorProto.Types.DataType.Float, "batch", 8));
        model.Graph.Output.Add(TestModels.Tensor("y", TensorProto.Types.DataType.Float, "batch", 4));
        return model;
    }

    public static byte[] Npy(string descr, string shape, ReadOnlySpan<byte> data, int version = 1)
    {
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        var prefix = version == 1 ? 10 : 12;
        var padded = header.PadRight(((prefix + header.Length + 1 + 63) / 64 * 64) - prefix - 1) + "\n";
        using var stream = new MemoryStream();
        stream.Write([0x93, .. "NUMPY"u8, (byte)version, 0]);
        stream.Write(version == 1 ? BitConverter.GetBytes((ushort)padded.Length) : BitConverter.GetBytes((uint)padded.Length));
        stream.Write(Encoding.Latin1.GetBytes(padded));
        stream.Write(data);
        return stream.ToArray();
    }

    public static byte[] Floats(Random random, int count)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = random.NextSingle();
        }

        return System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }

    public static string Write(string path, ModelProto model)
    {
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    public static T Pick<T>(this Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
