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
        for (var k = 1; k < stages.Count; k++)
        {
            var (nodes, readsImage) = Runs(model, stages[k], plan[k].Start, plan[k].Spill);
            output.WriteLine($"stage {k + 1}: starts from {plan[k].Start.Count} tensors, spills {plan[k].Spill.Count}, runs {nodes} of {model.Graph.Node.Count} nodes"
                + (readsImage ? ", reads the image" : ""));
            Assert.True(k == 1 || !readsImage, $"stage {k + 1}'s run reads the image: {nodes} nodes");
        }
    }

    /// <summary>
    /// The detector's Convs in two stages: no solve changes the teacher, so its second run starts where the first run (the teacher's own) stopped,
    /// at the maps the backbone hands the neck, and computes only the neck and head; the working model's second run starts from the stem's output,
    /// since the first stage's solves change everything after it.
    /// </summary>
    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void The_teachers_second_run_on_the_detector_starts_where_the_first_run_stopped()
    {
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrDetector));
        ConstantPromotion.Promote(model.Graph);
        var targets = FloatWeightLayers.Of(model).Skip(2).ToList();
        var half = (targets.Count + 1) / 2;
        var stages = new List<IReadOnlyList<ReconstructionTarget>> { targets.Take(half).ToList(), targets.Skip(half).ToList() };

        var plan = StagePlan.Of(model.Graph, stages);
        var wanted = stages[1].Select(t => t.Node.Input[0]).ToList();
        var teacher = StageGraph.Cut(model, wanted, plan[1].TeacherStart.ToHashSet(StringComparer.Ordinal)).Graph.Node.Count;
        var working = StageGraph.Cut(model, wanted, plan[1].Start.ToHashSet(StringComparer.Ordinal)).Graph.Node.Count;
        var firstRun = StageGraph.Cut(model, stages[0].Select(t => t.Node.Input[0]).Concat(plan[0].TeacherSpill).ToList(), new HashSet<string>(StringComparer.Ordinal)).Graph.Node
            .SelectMany(n => n.Output).ToHashSet(StringComparer.Ordinal);
        output.WriteLine($"teacher starts from {string.Join(", ", plan[1].TeacherStart)} and runs {teacher} nodes; the working model runs {working} of {model.Graph.Node.Count}");
        Assert.Equal(plan[1].TeacherStart, plan[0].TeacherSpill);
        Assert.All(plan[1].TeacherStart, name => Assert.Contains(name, firstRun));
        Assert.True(teacher * 3 < working, $"the teacher's second run computes {teacher} nodes, the working model's {working}");
    }

    /// <summary>
    /// The teacher's runs in the recognizer's twelve stages of four layers: no solve changes the teacher, so no run after the first reads the image and no node runs
    /// twice: a tensor a later run reads is carried to it. Planned from the previous run alone, the 11th run recomputed 346 nodes from the image.
    /// </summary>
    [RealModelFact(RealModels.PaddleOcrRecognizer)]
    public void No_teacher_run_after_the_first_reads_the_image_or_runs_a_node_twice_on_the_recognizer_in_twelve_stages()
    {
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrRecognizer));
        ConstantPromotion.Promote(model.Graph);
        var stages = FloatWeightLayers.Of(model).Chunk(4).Select(c => (IReadOnlyList<ReconstructionTarget>)c).ToList();
        Assert.Equal(12, stages.Count);

        var plan = StagePlan.Of(model.Graph, stages);
        var total = 0;
        for (var k = 0; k < stages.Count; k++)
        {
            Assert.Equal(k == 0 ? [] : plan[k - 1].TeacherSpill, plan[k].TeacherStart);
            var (nodes, readsImage) = Runs(model, stages[k], plan[k].TeacherStart, plan[k].TeacherSpill);
            total += nodes;
            output.WriteLine($"teacher stage {k + 1}: starts from {plan[k].TeacherStart.Count} tensors, spills {plan[k].TeacherSpill.Count}, runs {nodes} nodes"
                + (readsImage ? ", reads the image" : ""));
            Assert.True(k == 0 || !readsImage, $"the teacher's stage {k + 1} reads the image: {nodes} nodes");
        }

        output.WriteLine($"{total} node runs in all, {model.Graph.Node.Count} nodes in the model");
        Assert.True(total <= model.Graph.Node.Count, $"{total} node runs for {model.Graph.Node.Count} nodes");
    }

    /// <summary>
    /// The recognizer's fifteen scalar Casts of constants are read all along the model; each run computes them again (ONNX Runtime folds them
    /// when it opens the session) instead of every run spilling them to the next, in the working model's plan and the teacher's.
    /// </summary>
    [RealModelFact(RealModels.PaddleOcrRecognizer)]
    public void No_run_spills_a_tensor_computed_from_initializers_alone_on_the_recognizer_in_twelve_stages()
    {
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrRecognizer));
        ConstantPromotion.Promote(model.Graph);
        var stages = FloatWeightLayers.Of(model).Chunk(4).Select(c => (IReadOnlyList<ReconstructionTarget>)c).ToList();
        var image = model.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var casts = model.Graph.Node.Where(n => n.OpType == "Cast" && !StageGraph.Cut(model, [n.Output[0]], new HashSet<string>()).Graph.Node.Any(c => c.Input.Any(image.Contains))).ToList();
        Assert.True(casts.Count >= 10, $"{casts.Count} Casts of constants");

        var plan = StagePlan.Of(model.Graph, stages);
        var spilled = plan.SelectMany(p => p.Start.Concat(p.Spill).Concat(p.TeacherStart).Concat(p.TeacherSpill)).ToHashSet(StringComparer.Ordinal);
        Assert.True(spilled.Count > 0, "the plan spills nothing at all");
        foreach (var name in spilled)
        {
            var upstream = StageGraph.Cut(model, [name], new HashSet<string>()).Graph.Node;
            Assert.True(upstream.Any(n => n.Input.Any(image.Contains)), $"'{name}' is computed from initializers alone, yet a run spills it");
        }
    }

    /// <summary>How many nodes a stage's run computes from the given start, as <see cref="StageProbe"/> cuts it, and whether it reads the image.</summary>
    private static (int Nodes, bool ReadsImage) Runs(OnnxModel model, IReadOnlyList<ReconstructionTarget> stage, IReadOnlyList<string> start, IReadOnlyList<string> spill)
    {
        var image = model.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var given = start.ToHashSet(StringComparer.Ordinal);
        var wanted = stage.Select(t => t.Node.Input[0]).Concat(spill).Where(n => !image.Contains(n) && !given.Contains(n)).Distinct(StringComparer.Ordinal).ToList();
        var cut = StageGraph.Cut(model, wanted, given).Graph.Node;
        return (cut.Count, cut.Any(n => n.Input.Any(image.Contains)));
    }
}
