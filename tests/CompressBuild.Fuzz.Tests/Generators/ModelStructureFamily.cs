using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Testing;
using Google.Protobuf;

namespace CompressBuild.Fuzz.Tests.Generators;

/// <summary>
/// Well-formed protobuf, hostile model: absurd or negative dims, undefined element types, raw data of the wrong
/// length, Constant nodes claiming terabytes, empty graphs, graphs without inputs or outputs, cycles, nodes
/// missing their inputs. Each goes through a command that reads weights.
/// </summary>
internal static class ModelStructureFamily
{
    private static readonly long[][] HostileDims =
    [
        [1L << 32, 1L << 32, 4], [1L << 62, 4], [-256, 64], [1L << 40, 1L << 20], [1L << 40, 1L << 40], [0, 64], [0], [4, 0, 8],
        [long.MaxValue], [-1], [1L << 31, 2], [3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
    ];

    private static readonly string[][] Commands =
    [
        ["inspect"],
        ["inspect", "--json"],
        ["convert", "-o", "{out}"],
        ["convert", "-o", "{out}", "--inline"],
        ["quantize", "-o", "{out}", "--mode", "int8-dynamic"],
        ["quantize", "-o", "{out}", "--mode", "fp16"],
        ["quantize", "-o", "{out}", "--mode", "int4-weight"],
        ["prune", "-o", "{out}", "--sparsity", "0.5"],
        ["prune", "-o", "{out}", "--method", "nm", "--pattern", "2:4"],
        ["bench", "--iterations", "1", "--warmup", "0"],
    ];

    public static FuzzCase Create(Random random, CaseFolder folder)
    {
        var model = Seeds.TinyGemm();
        var description = Damage(random, model);
        var path = Seeds.Write(folder.Input("m.onnx"), model);
        var output = folder.Output("o.onnx");
        var command = random.Pick(Commands);
        return new FuzzCase("model-structure", $"{description}; {string.Join(' ', command)}",
            [command[0], path, .. command[1..].Select(a => a == "{out}" ? output : a)], command.Contains("{out}") ? output : null);
    }

    private static string Damage(Random random, ModelProto model)
    {
        var graph = model.Graph;
        var weight = graph.Initializer[random.Next(graph.Initializer.Count)];
        switch (random.Next(12))
        {
            case 0:
            case 1:
                var dims = random.Pick(HostileDims);
                weight.Dims.Clear();
                weight.Dims.Add(dims);
                return $"{weight.Name} dims {TensorShape.Format(dims)}";
            case 2:
                weight.DataType = random.Pick(new[] { 0, 99, -1, 8, 17, 40, 23 });
                return $"{weight.Name} data_type {weight.DataType}";
            case 3:
                var length = random.Pick(new[] { 0, 1, 100, weight.RawData.Length - 1, weight.RawData.Length + 4, 65536 });
                weight.RawData = ByteString.CopyFrom(new byte[Math.Max(0, length)]);
                return $"{weight.Name} raw_data of {length} bytes";
            case 4:
                var constant = TensorData.FromArray<float>("c", [2], [1f, 2f]);
                constant.Dims.Clear();
                constant.Dims.Add(random.Pick(HostileDims));
                graph.Node.Insert(0, new NodeProto { OpType = "Constant", Name = "const", Output = { "c" }, Attribute =
                    { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = constant } } });
                graph.Node.Add(TestModels.Node("Add", ["y", "c"], ["y2"]));
                return $"Constant with dims {TensorShape.Format(constant.Dims)}";
            case 5:
                graph.Node.Clear();
                graph.Initializer.Clear();
                return "empty graph";
            case 6:
                graph.Input.Clear();
                return "no graph inputs";
            case 7:
                graph.Output.Clear();
                return "no graph outputs";
            case 8:
                graph.Node[0].Input[0] = "y";
                return "cycle Gemm <- Relu";
            case 9:
                while (graph.Node[0].Input.Count > random.Next(2))
                {
                    graph.Node[0].Input.RemoveAt(graph.Node[0].Input.Count - 1);
                }

                return $"Gemm with {graph.Node[0].Input.Count} input(s)";
            case 10:
                graph.Node[0].Input[1] = "missing";
                return "Gemm weight names no value";
            default:
                weight.ClearRawData();
                weight.FloatData.Add(Enumerable.Repeat(1f, random.Next(64)));
                return $"{weight.Name} float_data of {weight.FloatData.Count} values";
        }
    }
}
