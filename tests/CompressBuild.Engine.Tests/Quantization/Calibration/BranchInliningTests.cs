using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Runtime;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Calibration;

public sealed class BranchInliningTests
{
    [Fact]
    public void The_inlined_copy_gives_the_model_outputs_and_exposes_the_values_of_the_branch_taken()
    {
        var model = BranchModels.Create();
        var data = BranchModels.Samples(6, seed: 1);
        var branches = BranchInlining.Inline(model, data, SessionSettings.Default);
        var then = Branch(model, "pick", "then_branch");
        var exposed = branches.Name(then, "wide_h");

        using var original = ModelSessions.Open(model);
        using var inlined = ModelSessions.Open(ModelOutputs.WithOutputs(branches.Model, [exposed]));
        var wa = TensorData.ToSingles(then.Initializer.Single(i => i.Name == "wa"), model);
        for (var s = 0; s < data.Count; s++)
        {
            var sample = data.Sample(s);
            var expected = original.Run(sample, ["y"])[0].AsSpan<float>().ToArray();
            var outputs = inlined.Run(sample, ["y", exposed]);
            Assert.Equal(expected, outputs[0].AsSpan<float>().ToArray());

            // x . wa, the MatMul inside the then branch.
            var x = sample[0].AsSpan<float>().ToArray();
            var product = Enumerable.Range(0, BranchModels.Width).Select(j => Enumerable.Range(0, BranchModels.Width).Sum(k => x[k] * wa[(k * BranchModels.Width) + j]));
            Assert.All(product.Zip(outputs[1].AsSpan<float>().ToArray()), p => Assert.Equal(p.First, p.Second, 1e-5f));
        }

        Assert.True(branches.Observes(then));
        Assert.DoesNotContain(branches.Model.Graph.Node, n => n.Name == "pick");
    }

    [Fact]
    public void Bodies_it_cannot_inline_come_back_with_the_reason()
    {
        var model = BranchModels.Create();
        var branches = BranchInlining.Inline(model, BranchModels.Samples(6, seed: 1), SessionSettings.Default);

        Assert.Contains("else branch of If 'pick' is never taken", branches.Unobserved[Branch(model, "pick", "else_branch")], StringComparison.Ordinal);
        Assert.Contains("runs its body once per iteration", branches.Unobserved[Branch(model, "loop", "body")], StringComparison.Ordinal);
        Assert.Contains("condition of If 'gain' differs between calibration samples", branches.Unobserved[Branch(model, "gain", "then_branch")], StringComparison.Ordinal);
        Assert.False(branches.Observes(Branch(model, "gain", "else_branch")));
    }

    private static GraphProto Branch(OnnxModel model, string node, string attribute) =>
        model.Graph.Node.Single(n => n.Name == node).Attribute.Single(a => a.Name == attribute).G;
}
