using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Float = CompressBuild.Engine.Onnx.Proto.TensorProto.Types.DataType;

namespace CompressBuild.Engine.Tests.Quantization.Calibration;

/// <summary>
/// A small seeded model with every kind of body: If 'pick' on input 'wide' (then: MatMul 'wide_mm' by 'wa' and Relu; else: MatMul
/// 'narrow_mm' by 'wb'), a Loop of 2 iterations whose body runs MatMul 'loop_mm' by its own 'wl' then MatMul 'outer_mm' by 'wo', a
/// weight of the main graph, and Tanh; then If 'gain' on input 'flag' (then: Mul by 2; else: Identity). Every value is [1, 16].
/// </summary>
internal static class BranchModels
{
    public const int Width = 16;

    public static OnnxModel Create()
    {
        var random = new Random(7);
        TensorProto Weight(string name) =>
            TensorData.FromArray<float>(name, [Width, Width], Enumerable.Range(0, Width * Width).Select(_ => (float)((random.NextDouble() - 0.5) * 0.5)).ToArray());

        var model = TestModels.Empty(17);
        var main = model.Graph;
        main.Input.Add(TestModels.Tensor("x", Float.Float, 1, Width));
        main.Input.Add(TestModels.Tensor("wide", Float.Bool));
        main.Input.Add(TestModels.Tensor("flag", Float.Bool));
        main.Output.Add(TestModels.Tensor("y", Float.Float, 1, Width));

        var then = new GraphProto { Name = "pick_then", Initializer = { Weight("wa") } };
        then.Node.Add(TestModels.Node("MatMul", ["x", "wa"], ["wide_h"], "wide_mm"));
        then.Node.Add(TestModels.Node("Relu", ["wide_h"], ["wide_r"], "wide_relu"));
        then.Output.Add(TestModels.Tensor("wide_r", Float.Float, 1, Width));
        var otherwise = new GraphProto { Name = "pick_else", Initializer = { Weight("wb") } };
        otherwise.Node.Add(TestModels.Node("MatMul", ["x", "wb"], ["narrow_h"], "narrow_mm"));
        otherwise.Output.Add(TestModels.Tensor("narrow_h", Float.Float, 1, Width));
        main.Node.Add(If("pick", "wide", "h0", then, otherwise));

        main.Initializer.Add(Weight("wo"));
        main.Initializer.Add(TensorData.FromArray<long>("trips", [], [2]));
        var body = new GraphProto { Name = "loop_body", Initializer = { Weight("wl") } };
        body.Input.Add(TestModels.Tensor("i", Float.Int64));
        body.Input.Add(TestModels.Tensor("c", Float.Bool));
        body.Input.Add(TestModels.Tensor("h", Float.Float, 1, Width));
        body.Node.Add(TestModels.Node("MatMul", ["h", "wl"], ["l1"], "loop_mm"));
        body.Node.Add(TestModels.Node("MatMul", ["l1", "wo"], ["l2"], "outer_mm"));
        body.Node.Add(TestModels.Node("Tanh", ["l2"], ["l3"], "loop_tanh"));
        body.Node.Add(TestModels.Node("Identity", ["c"], ["c_out"], "loop_cond"));
        body.Output.Add(TestModels.Tensor("c_out", Float.Bool));
        body.Output.Add(TestModels.Tensor("l3", Float.Float, 1, Width));
        var loop = TestModels.Node("Loop", ["trips", "", "h0"], ["hl"], "loop");
        loop.Attribute.Add(new AttributeProto { Name = "body", Type = AttributeProto.Types.AttributeType.Graph, G = body });
        main.Node.Add(loop);

        var twice = new GraphProto { Name = "gain_then" };
        twice.Initializer.Add(TensorData.FromArray<float>("two", [], [2f]));
        twice.Node.Add(TestModels.Node("Mul", ["hl", "two"], ["doubled"], "gain_mul"));
        twice.Output.Add(TestModels.Tensor("doubled", Float.Float, 1, Width));
        var same = new GraphProto { Name = "gain_else" };
        same.Node.Add(TestModels.Node("Identity", ["hl"], ["kept"], "gain_identity"));
        same.Output.Add(TestModels.Tensor("kept", Float.Float, 1, Width));
        main.Node.Add(If("gain", "flag", "y", twice, same));
        return new OnnxModel(model, null);
    }

    /// <summary>Seeded inputs: 'wide' always true (the else branch of 'pick' is never taken), 'flag' alternating (neither branch of 'gain' can be inlined).</summary>
    public static Dataset Samples(int count, int seed)
    {
        var random = new Random(seed);
        var samples = Enumerable.Range(0, count).Select(i => (IReadOnlyList<HostTensor>)
        [
            HostTensor.FromArray<float>("x", [1, Width], Enumerable.Range(0, Width).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()),
            HostTensor.FromArray<bool>("wide", [], [true]),
            HostTensor.FromArray<bool>("flag", [], [i % 2 == 0]),
        ]).ToList();
        return new Dataset("branch-samples", count, i => samples[i]);
    }

    private static NodeProto If(string name, string condition, string output, GraphProto then, GraphProto otherwise)
    {
        var node = TestModels.Node("If", [condition], [output], name);
        node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = then });
        node.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = otherwise });
        return node;
    }
}
