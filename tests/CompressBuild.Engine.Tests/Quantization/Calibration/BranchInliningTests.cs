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
        Assert.Contains("condition of If 'gain' differs between calibration samples", branches.Unobserved[Branch(model, "gain", "then_branch")], StringComparison.Ordinal);
        Assert.False(branches.Observes(Branch(model, "gain", "else_branch")));
    }

    [Fact]
    public void A_loop_body_value_comes_out_stacked_over_the_iterations_and_the_model_outputs_stay_the_same()
    {
        var model = BranchModels.Create();
        var data = BranchModels.Samples(4, seed: 3);
        var branches = BranchInlining.Inline(model, data, SessionSettings.Default);
        var body = Branch(model, "loop", "body");
        Assert.True(branches.Observes(body));
        var stacked = branches.Name(body, "l1");

        using var original = ModelSessions.Open(model);
        using var exposed = ModelSessions.Open(ModelOutputs.WithOutputs(branches.Model, [stacked, branches.Name(body, "h")]));
        var wl = TensorData.ToSingles(body.Initializer.Single(i => i.Name == "wl"), model);
        for (var s = 0; s < data.Count; s++)
        {
            var sample = data.Sample(s);
            var outputs = exposed.Run(sample, ["y", stacked, branches.Name(body, "h")]);
            Assert.Equal(original.Run(sample, ["y"])[0].AsSpan<float>().ToArray(), outputs[0].AsSpan<float>().ToArray());

            // Two iterations, each l1 = h . wl for that iteration's h (also exposed, stacked the same way).
            var l1 = outputs[1].AsSpan<float>().ToArray();
            var h = outputs[2].AsSpan<float>().ToArray();
            Assert.Equal(2 * BranchModels.Width, l1.Length);
            for (var t = 0; t < 2; t++)
            {
                for (var j = 0; j < BranchModels.Width; j++)
                {
                    var expected = Enumerable.Range(0, BranchModels.Width).Sum(k => h[(t * BranchModels.Width) + k] * wl[(k * BranchModels.Width) + j]);
                    Assert.Equal(expected, l1[(t * BranchModels.Width) + j], 1e-5f);
                }
            }
        }
    }

    private static GraphProto Branch(OnnxModel model, string node, string attribute) =>
        model.Graph.Node.Single(n => n.Name == node).Attribute.Single(a => a.Name == attribute).G;
}
