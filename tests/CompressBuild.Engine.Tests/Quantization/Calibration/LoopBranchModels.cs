using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Float = CompressBuild.Engine.Onnx.Proto.TensorProto.Types.DataType;

namespace CompressBuild.Engine.Tests.Quantization.Calibration;

/// <summary>
/// A small seeded model with If nodes inside a Loop body, as a streaming model's per-step network sits in one: a Loop of 3 iterations
/// over 'h0' = 'x' whose body runs If 'steady' on a copy of input 'wide' (the same on every iteration; then: MatMul 'steady_mm' by 'wa';
/// else: MatMul 'other_mm' by 'wb'), then If 'first' on iteration &lt; 1 (differs between iterations; then: Mul by 2; else: Identity),
/// and Tanh. Every float value is [1, 16].
/// </summary>
internal static class LoopBranchModels
{
    public const int Width = 16;

    public const int Iterations = 3;

    public static OnnxModel Create()
    {
        var random = new Random(11);
        TensorProto Weight(string name) =>
            TensorData.FromArray<float>(name, [Width, Width], Enumerable.Range(0, Width * Width).Select(_ => (float)((random.NextDouble() - 0.5) * 0.5)).ToArray());

        var model = TestModels.Empty(17);
        var main = model.Graph;
        main.Input.Add(TestModels.Tensor("x", Float.Float, 1, Width));
        main.Input.Add(TestModels.Tensor("wide", Float.Bool));
        main.Output.Add(TestModels.Tensor("y", Float.Float, 1, Width));
        main.Initializer.Add(TensorData.FromArray<long>("trips", [], [Iterations]));

        var then = new GraphProto { Name = "steady_then", Initializer = { Weight("wa") } };
        then.Node.Add(TestModels.Node("MatMul", ["h", "wa"], ["steady_h"], "steady_mm"));
        then.Output.Add(TestModels.Tensor("steady_h", Float.Float, 1, Width));
        var otherwise = new GraphProto { Name = "steady_else", Initializer = { Weight("wb") } };
        otherwise.Node.Add(TestModels.Node("MatMul", ["h", "wb"], ["other_h"], "other_mm"));
        otherwise.Output.Add(TestModels.Tensor("other_h", Float.Float, 1, Width));
        var twice = new GraphProto { Name = "first_then", Initializer = { TensorData.FromArray<float>("two", [], [2f]) } };
        twice.Node.Add(TestModels.Node("Mul", ["picked", "two"], ["doubled"], "first_mul"));
        twice.Output.Add(TestModels.Tensor("doubled", Float.Float, 1, Width));
        var same = new GraphProto { Name = "first_else" };
        same.Node.Add(TestModels.Node("Identity", ["picked"], ["kept"], "first_identity"));
        same.Output.Add(TestModels.Tensor("kept", Float.Float, 1, Width));

        var body = new GraphProto { Name = "loop_body", Initializer = { TensorData.FromArray<long>("one", [], [1]) } };
        body.Input.Add(TestModels.Tensor("i", Float.Int64));
        body.Input.Add(TestModels.Tensor("c", Float.Bool));
        body.Input.Add(TestModels.Tensor("h", Float.Float, 1, Width));
        body.Node.Add(TestModels.Node("Identity", ["wide"], ["wide_here"], "wide_copy"));
        body.Node.Add(If("steady", "wide_here", "picked", then, otherwise));
        body.Node.Add(TestModels.Node("Less", ["i", "one"], ["is_first"], "is_first"));
        body.Node.Add(If("first", "is_first", "scaled", twice, same));
        body.Node.Add(TestModels.Node("Tanh", ["scaled"], ["next_h"], "loop_tanh"));
        body.Node.Add(TestModels.Node("Identity", ["c"], ["c_out"], "loop_cond"));
        body.Output.Add(TestModels.Tensor("c_out", Float.Bool));
        body.Output.Add(TestModels.Tensor("next_h", Float.Float, 1, Width));
        var loop = TestModels.Node("Loop", ["trips", "", "x"], ["y"], "loop");
        loop.Attribute.Add(new AttributeProto { Name = "body", Type = AttributeProto.Types.AttributeType.Graph, G = body });
        main.Node.Add(loop);
        return new OnnxModel(model, null);
    }

    /// <summary>Seeded inputs with 'wide' always true (the else branch of 'steady' is never taken).</summary>
    public static Dataset Samples(int count, int seed)
    {
        var random = new Random(seed);
        var samples = Enumerable.Range(0, count).Select(i => (IReadOnlyList<HostTensor>)
        [
            HostTensor.FromArray<float>("x", [1, Width], Enumerable.Range(0, Width).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()),
            HostTensor.FromArray<bool>("wide", [], [true]),
        ]).ToList();
        return new Dataset("loop-branch-samples", count, i => samples[i]);
    }

    private static NodeProto If(string name, string condition, string output, GraphProto then, GraphProto otherwise)
    {
        var node = TestModels.Node("If", [condition], [output], name);
        node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = then });
        node.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = otherwise });
        return node;
    }
}
