using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Runtime;

public class BoundOutputsTests
{
    private static string Mlp => Path.Combine(RepositoryPaths.Digits, "mlp.onnx");

    [Fact]
    public void Each_run_overwrites_the_bound_buffers_with_what_an_allocating_run_returns()
    {
        HostTensor Input(int seed) => HostTensor.FromArray<float>("input", [2, 64], Enumerable.Range(0, 128).Select(i => ((i * seed) % 11) / 11f).ToArray());
        using var session = InferenceSession.Create(Mlp, new SessionSettings { IntraOpThreads = 1 });
        IReadOnlyList<long[]> shapes;
        using (var first = session.RunKept([Input(3)], ["logits"]))
        {
            shapes = first.Shapes();
        }

        using var bound = session.BindOutputs([[2, 64]], ["logits"], shapes);
        foreach (var seed in new[] { 5, 7 })
        {
            var expected = session.Run([Input(seed)])[0].AsSpan<float>().ToArray();
            bound.Run([Input(seed)]);
            float[]? actual = null;
            bound.Observe((k, values) => actual = values.ToArray());
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Inputs_of_other_shapes_do_not_fit_and_are_refused()
    {
        var pair = HostTensor.FromArray<float>("input", [2, 64], new float[128]);
        var three = HostTensor.FromArray<float>("input", [3, 64], new float[192]);
        using var session = InferenceSession.Create(Mlp, new SessionSettings { IntraOpThreads = 1 });
        using var bound = session.BindOutputs([pair.Shape], ["logits"], [[2, 10]]);

        Assert.True(bound.Fits([pair]));
        Assert.False(bound.Fits([three]));
        Assert.Throws<ArgumentException>(() => bound.Run([three]));
    }
}
