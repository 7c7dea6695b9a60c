using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Evaluation;

public class ActivationCaptureTests
{
    [Fact]
    public void Captures_an_intermediate_the_graph_input_and_the_output_for_every_sample()
    {
        var path = Path.Combine(RepositoryPaths.Digits, "mlp.onnx");
        var model = OnnxModelReader.Load(path);
        var hidden = model.Graph.Node.First(n => n.OpType == "Relu").Output[0];
        using var session = ModelSessions.Open(path);
        var data = DatasetLoader.Open(Path.Combine(RepositoryPaths.Digits, "calib_x_flat.npy"), session.Inputs).Take(12);
        var seen = new List<int>();

        ActivationCapture.Run(model, [hidden, "input", "logits"], data, (i, tensors) =>
        {
            seen.Add(i);
            Assert.Equal([1L, 256], tensors[0].Shape);
            Assert.All(tensors[0].AsSpan<float>().ToArray(), v => Assert.True(v >= 0));
            Assert.Equal(data.Sample(i)[0].Data, tensors[1].Data);
            Assert.Equal(session.Run(data.Sample(i))[0].AsSpan<float>().ToArray(), tensors[2].AsSpan<float>().ToArray());
        });

        Assert.Equal(Enumerable.Range(0, 12), seen);
        Assert.Single(model.Graph.Output);
    }

    [Fact]
    public void Weights_held_in_constant_nodes_do_not_stop_capture()
    {
        var model = OnnxModelReader.Load(Path.Combine(RepositoryPaths.Digits, "mlp_opset11_constants.onnx"));
        var gemm = model.Graph.Node.First(n => n.OpType == "Gemm").Output[0];
        using var session = ModelSessions.Open(model);
        var data = DatasetLoader.Open(Path.Combine(RepositoryPaths.Digits, "calib_x_flat.npy"), session.Inputs).Take(3);
        var count = 0;

        ActivationCapture.Run(model, [gemm], data, (_, tensors) =>
        {
            count++;
            Assert.Equal(256, tensors[0].ElementCount);
        });

        Assert.Equal(3, count);
    }
}
