using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Reconstruction;
using CompressBuild.Engine.Runtime;
using CompressBuild.Engine.Tests.Pruning;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Reconstruction;

/// <summary>
/// Stages after the first start from the boundary tensors the previous stage spilled (<see cref="StagePlan"/>) instead of
/// re-running the model from its inputs. Every solve here scales its layer's weights, so a later stage sees an input only
/// when the spilled boundary carries the earlier solves' effect; the Gram and teacher cross matrices of both paths must agree
/// up to float rounding (ONNX Runtime may fuse nodes across the boundary differently).
/// </summary>
public class SpillRestartTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData("cnn_residual.onnx", 6)]
    [InlineData("cnn_concat_dw.onnx", 3)]
    [InlineData("transformer.onnx", 6)]
    public void Restarting_from_the_spill_gives_the_rerun_matrices_on_the_digits_models(string fixture, int passes)
    {
        var model = PruningFixtures.Load(fixture);
        ConstantPromotion.Promote(model.Graph);
        using var session = ModelSessions.Open(model);
        var data = DatasetLoader.Open(PruningFixtures.CalibrationData(fixture), session.Inputs).Take(16);
        Compare(model, data, passes);
    }

    [RealModelFact(RealModels.PaddleOcrRecognizer)]
    public void Restarting_from_the_spill_gives_the_rerun_matrices_on_the_recognizer()
    {
        using var temp = new TempFolder();
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrRecognizer));
        ConstantPromotion.Promote(model.Graph);
        using var session = ModelSessions.Open(model);
        var data = DatasetLoader.Open(OcrInputs.Render(temp.Path, "rec", 2, seed: 7), session.Inputs);
        Compare(model, data, passes: 6);
    }

    private void Compare(OnnxModel model, Dataset data, int passes)
    {
        var targets = FloatWeightLayers.Of(model);
        var rerun = Capture(model, targets, data, passes, restartFromSpill: false);
        var spilled = Capture(model, targets, data, passes, restartFromSpill: true);
        Assert.True(rerun.Timing.Passes > 2, $"{rerun.Timing.Passes} stages: nothing would restart from a spill");
        Assert.Equal(0, rerun.Timing.Restarts);
        Assert.Equal(spilled.Timing.Passes - 1, spilled.Timing.Restarts);
        Assert.Equal(rerun.Timing.Rows, spilled.Timing.Rows);
        Assert.Equal(targets.Count, rerun.Matrices.Count);
        double worst = 0;
        foreach (var (name, matrices) in rerun.Matrices)
        {
            Assert.True(spilled.Matrices.TryGetValue(name, out var other), $"{name} was not captured after the spill");
            Assert.Equal(matrices.Count, other.Count);
            worst = Math.Max(worst, matrices.Select((m, i) => RelativeError(m, other[i])).Max());
        }

        output.WriteLine($"{targets.Count} layers, {rerun.Timing.Passes} stages: worst relative Frobenius difference {worst:E2}; capture {rerun.Timing.Capture.TotalSeconds:F2} s re-run, "
            + $"{spilled.Timing.Capture.TotalSeconds:F2} s from the spill");
        Assert.True(worst <= Tolerance, $"the matrices differ by {worst:E2} relative");
    }

    /// <summary>A capture with the original model as teacher whose solves scale each layer's weights by 0.75 (in a copy of the model).</summary>
    private static (Dictionary<string, List<double[]>> Matrices, ReconstructionTiming Timing) Capture(OnnxModel original, List<ReconstructionTarget> originalTargets, Dataset data,
        int passes, bool restartFromSpill)
    {
        var model = new OnnxModel(original.Proto.Clone(), original.BaseDirectory, original.SourcePath);
        var teacher = new OnnxModel(original.Proto.Clone(), original.BaseDirectory, original.SourcePath);
        var nodes = original.Graph.Node.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, (IEqualityComparer<NodeProto>)ReferenceEqualityComparer.Instance);
        var targets = originalTargets.Select(t =>
        {
            var node = model.Graph.Node[nodes[t.Node]];
            return new ReconstructionTarget(node, model.Graph.Initializer.First(i => i.Name == node.Input[1]), t.Geometry, t.WithBias);
        }).ToList();
        var matrices = new Dictionary<string, List<double[]>>(StringComparer.Ordinal);
        var timing = LayerwiseReconstruction.Run(model, targets, data, (target, statistics) =>
        {
            matrices[target.Name] = statistics.Gram.Concat(statistics.Cross ?? []).Select(g => g.Values.ToArray()).ToList();
            var current = model.Graph.Initializer.First(i => i.Name == target.Weight.Name);
            var values = TensorData.ToSingles(current, model).Select(v => v * 0.75f).ToArray();
            Engine.Pruning.WeightStore.Replace(model.Graph, current, current.Dims.ToArray(), values);
        }, teacher, passes: passes, memoryBudget: long.MaxValue, rowsPerColumn: 0, restartFromSpill: restartFromSpill);
        return (matrices, timing);
    }

    private static double RelativeError(double[] expected, double[] actual)
    {
        double difference = 0, norm = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            difference += (expected[i] - actual[i]) * (expected[i] - actual[i]);
            norm += expected[i] * expected[i];
        }

        return norm > 0 ? Math.Sqrt(difference / norm) : Math.Sqrt(difference);
    }
}
