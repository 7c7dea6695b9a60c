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

    [Fact]
    public void An_if_inside_a_loop_body_taking_one_branch_on_every_iteration_is_inlined_and_its_values_come_out_stacked()
    {
        var model = LoopBranchModels.Create();
        var data = LoopBranchModels.Samples(4, seed: 5);
        var branches = BranchInlining.Inline(model, data, SessionSettings.Default);
        var body = Branch(model, "loop", "body");
        var then = body.Node.Single(n => n.Name == "steady").Attribute.Single(a => a.Name == "then_branch").G;
        Assert.True(branches.Observes(body));
        Assert.True(branches.Observes(then));
        var stacked = branches.Name(then, "steady_h");
        var inputs = branches.Name(body, "h");

        using var original = ModelSessions.Open(model);
        using var exposed = ModelSessions.Open(ModelOutputs.WithOutputs(branches.Model, [stacked, inputs]));
        var wa = TensorData.ToSingles(then.Initializer.Single(i => i.Name == "wa"), model);
        const int Width = LoopBranchModels.Width;
        for (var s = 0; s < data.Count; s++)
        {
            var sample = data.Sample(s);
            var outputs = exposed.Run(sample, ["y", stacked, inputs]);
            Assert.Equal(original.Run(sample, ["y"])[0].AsSpan<float>().ToArray(), outputs[0].AsSpan<float>().ToArray());

            // Every iteration's steady_h = h . wa for that iteration's h.
            var product = outputs[1].AsSpan<float>().ToArray();
            var h = outputs[2].AsSpan<float>().ToArray();
            Assert.Equal(LoopBranchModels.Iterations * Width, product.Length);
            for (var t = 0; t < LoopBranchModels.Iterations; t++)
            {
                for (var j = 0; j < Width; j++)
                {
                    var expected = Enumerable.Range(0, Width).Sum(k => h[(t * Width) + k] * wa[(k * Width) + j]);
                    Assert.Equal(expected, product[(t * Width) + j], 1e-5f);
                }
            }
        }

        // The calibration copy's Loop keeps its If only where the condition changes between iterations.
        var loop = branches.Model.Graph.Node.Single(n => n.OpType == "Loop");
        Assert.Equal(["first"], loop.Attribute.Single(a => a.Name == "body").G.Node.Where(n => n.OpType == "If").Select(n => n.Name));
    }

    [Fact]
    public void An_if_inside_a_loop_body_whose_condition_changes_between_iterations_is_unobserved_with_the_reason()
    {
        var model = LoopBranchModels.Create();
        var branches = BranchInlining.Inline(model, LoopBranchModels.Samples(4, seed: 5), SessionSettings.Default);
        var body = Branch(model, "loop", "body");
        GraphProto Inner(string node, string attribute) => body.Node.Single(n => n.Name == node).Attribute.Single(a => a.Name == attribute).G;

        Assert.Contains("condition of If 'first' differs between calibration samples or iterations", branches.Unobserved[Inner("first", "then_branch")], StringComparison.Ordinal);
        Assert.Contains("else branch of If 'steady' is never taken", branches.Unobserved[Inner("steady", "else_branch")], StringComparison.Ordinal);
        Assert.False(branches.Observes(Inner("first", "else_branch")));
    }

    private static GraphProto Branch(OnnxModel model, string node, string attribute) =>
        model.Graph.Node.Single(n => n.Name == node).Attribute.Single(a => a.Name == attribute).G;
}
