using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Reconstruction;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Reconstruction;

/// <summary>
/// What each capture stage's run computes once it starts from the previous stage's spill (<see cref="StagePlan"/>): the graph cut to its
/// layer inputs and its own spill, as <see cref="StageProbe"/> cuts it.
/// </summary>
public class StagePlanTests(ITestOutputHelper output)
{
    /// <summary>
    /// The recognizer in SparseGPT's twelve stages of four layers: only the second stage needs the image (its run recomputes the first
    /// stage's Convs, which read it); every later one starts past the backbone. The last stage reads the backbone's pooled map through a
    /// Concat the second-to-last does not need: that run used to compute it again from the image, 85% of the model on every sample.
    /// </summary>
    [RealModelFact(RealModels.PaddleOcrRecognizer)]
    public void No_run_after_the_second_reads_the_image_on_the_recognizer_in_twelve_stages()
    {
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrRecognizer));
        ConstantPromotion.Promote(model.Graph);
        var targets = FloatWeightLayers.Of(model);
        var stages = targets.Chunk(4).Select(c => (IReadOnlyList<ReconstructionTarget>)c).ToList();
        Assert.Equal(12, stages.Count);

        var plan = StagePlan.Of(model.Graph, stages);
        var image = model.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        for (var k = 1; k < stages.Count; k++)
        {
            var start = plan[k].Start.ToHashSet(StringComparer.Ordinal);
            var wanted = stages[k].Select(t => t.Node.Input[0]).Concat(plan[k].Spill).Where(n => !image.Contains(n) && !start.Contains(n)).Distinct(StringComparer.Ordinal).ToList();
            var cut = StageGraph.Cut(model, wanted, start).Graph.Node;
            var readsImage = cut.Any(n => n.Input.Any(image.Contains));
            output.WriteLine($"stage {k + 1}: starts from {start.Count} tensors, spills {plan[k].Spill.Count}, runs {cut.Count} of {model.Graph.Node.Count} nodes"
                + (readsImage ? ", reads the image" : ""));
            Assert.True(k == 1 || !readsImage, $"stage {k + 1}'s run reads the image: {cut.Count} nodes");
        }
    }
}
