using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Reconstruction;
using CompressBuild.Engine.Runtime;
using CompressBuild.Engine.Tests.Pruning;
using CompressBuild.Testing;
using Google.Protobuf;
using Xunit;

namespace CompressBuild.Engine.Tests.Reconstruction;

/// <summary>
/// A capture stage's session runs the model cut to the nodes its tensors need, sharing the model's weights instead of copying them:
/// it must compute what the whole model computes (up to float rounding: ONNX Runtime may fuse the smaller graph differently),
/// carry only the weights its nodes read, and leave the model it was cut from as it was.
/// </summary>
public class StageGraphTests
{
    [Fact]
    public void The_cut_model_gives_the_whole_models_values_with_only_the_weights_it_reads_and_leaves_the_model_unchanged()
    {
        var model = PruningFixtures.Load("cnn_residual.onnx");
        var before = model.Proto.ToByteArray();
        var convs = model.Graph.Node.Where(n => n.OpType == "Conv").ToList();
        Assert.True(convs.Count >= 3, $"{convs.Count} Convs");
        var wanted = new[] { convs[1].Input[0], convs[1].Output[0] };

        var cut = StageGraph.Cut(model, wanted, new HashSet<string>(StringComparer.Ordinal));

        Assert.Equal(before, model.Proto.ToByteArray());
        Assert.Equal(wanted, cut.Graph.Output.Select(o => o.Name));
        Assert.DoesNotContain(cut.Graph.Initializer, t => t.Name == convs[2].Input[1]);
        Assert.Contains(cut.Graph.Initializer, t => ReferenceEquals(t, model.Graph.Initializer.Single(w => w.Name == convs[1].Input[1])));
        Assert.True(cut.Graph.Node.Count < model.Graph.Node.Count, $"{cut.Graph.Node.Count} of {model.Graph.Node.Count} nodes kept");

        using var whole = ModelSessions.Open(ModelOutputs.WithOutputs(model, wanted));
        using var part = ModelSessions.Open(cut);
        var data = DatasetLoader.Open(PruningFixtures.CalibrationData("cnn_residual.onnx"), whole.Inputs).Take(4);
        for (var i = 0; i < data.Count; i++)
        {
            var expected = whole.Run(data.Sample(i), wanted);
            var actual = part.Run(data.Sample(i), wanted);
            for (var t = 0; t < wanted.Length; t++)
            {
                Assert.Equal(expected[t].Shape, actual[t].Shape);
                var e = expected[t].AsSpan<float>().ToArray();
                var a = actual[t].AsSpan<float>().ToArray();
                var worst = e.Select((v, j) => Math.Abs(v - a[j]) / (1e-3 + Math.Abs(v))).Max();
                Assert.True(worst <= 1e-5, $"{wanted[t]}, sample {i}: relative difference {worst:E2}");
            }
        }
    }

    /// <summary>
    /// Silero VAD reads its audio and state only inside the branches of an If: a cut to the If's output keeps both as graph inputs (the session
    /// would not open without them), and a cut to the If's condition keeps only the sample rate it reads.
    /// </summary>
    [RealModelFact(RealModels.SileroVad)]
    public void A_graph_input_read_only_inside_a_subgraph_stays_an_input_of_the_cut()
    {
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.SileroVad));
        var branch = model.Graph.Node.Single(n => n.OpType == "If");
        Assert.DoesNotContain(model.Graph.Node, n => n.Input.Contains("input") || n.Input.Contains("state"));

        var whole = StageGraph.Cut(model, [branch.Output[0]], new HashSet<string>(StringComparer.Ordinal));
        var condition = StageGraph.Cut(model, [branch.Input[0]], new HashSet<string>(StringComparer.Ordinal));

        Assert.Equal(["input", "sr", "state"], whole.Graph.Input.Select(i => i.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["sr"], condition.Graph.Input.Select(i => i.Name));
        using var session = ModelSessions.Open(whole);
        using var conditionSession = ModelSessions.Open(condition);
    }
}
