using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Tests.Verification;

/// <summary>
/// The digits MLP plus a large side branch (64x2048 and 2048x10 MatMuls) whose result is multiplied by zero and
/// added to the logits: the same outputs, several times the work, so a candidate that is truly slower or faster.
/// </summary>
internal static class SlowedModel
{
    public static string Write(string mlp, string path, int width = 2048)
    {
        var model = OnnxModelReader.Load(mlp);
        var graph = model.Graph;
        graph.Node.Single(n => n.Output[0] == "logits").Output[0] = "logits_fast";
        var random = new Random(3);
        float[] Values(int count) => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        graph.Initializer.Add(TensorData.FromArray<float>("slow.w1", [64, width], Values(64 * width)));
        graph.Initializer.Add(TensorData.FromArray<float>("slow.w2", [width, 10], Values(width * 10)));
        graph.Initializer.Add(TensorData.FromArray<float>("slow.zero", [], [0f]));
        graph.Node.Add(Node("MatMul", ["input", "slow.w1"], "slow.h"));
        graph.Node.Add(Node("Relu", ["slow.h"], "slow.r"));
        graph.Node.Add(Node("MatMul", ["slow.r", "slow.w2"], "slow.o"));
        graph.Node.Add(Node("Mul", ["slow.o", "slow.zero"], "slow.z"));
        graph.Node.Add(Node("Add", ["logits_fast", "slow.z"], "logits"));
        OnnxModelWriter.Save(model, path, ModelSaveOptions.Default);
        return path;
    }

    private static NodeProto Node(string op, string[] inputs, string output) => new() { OpType = op, Name = output, Input = { inputs }, Output = { output } };
}
