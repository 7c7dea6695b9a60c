using System.Numerics.Tensors;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Evaluation.Metrics;

public class ModelComparisonTests
{
    private static readonly string Mlp = Path.Combine(RepositoryPaths.Digits, "mlp.onnx");
    private static readonly string TestData = Path.Combine(RepositoryPaths.Digits, "test_x_flat.npy");
    private static readonly long[] TestLabels = Labels.Load(Path.Combine(RepositoryPaths.Digits, "test_labels.npy"));

    [Fact]
    public void A_model_compared_with_itself_agrees_everywhere_and_accuracy_matches_a_direct_count()
    {
        using var reference = ModelSessions.Open(Mlp);
        using var candidate = ModelSessions.Open(Mlp);
        var data = DatasetLoader.Open(TestData, reference.Inputs);

        var result = ModelComparison.Run(reference, candidate, data, TestLabels, topK: 3);

        var logits = Assert.Single(result.Outputs);
        Assert.Equal(497, logits.Samples);
        Assert.True(logits.IsClassification);
        Assert.Equal(1.0, logits.Cosine, 6);
        Assert.Equal(0.0, logits.Mse);
        Assert.Equal(double.PositiveInfinity, logits.SqnrDb);
        Assert.Equal(1.0, logits.Top1Agreement);
        var accuracy = Assert.IsType<AccuracyPair>(logits.Accuracy);
        Assert.Equal(DirectTop1(reference, data), accuracy.ReferenceTop1, 9);
        Assert.Equal(accuracy.ReferenceTop1, accuracy.CandidateTop1);
        Assert.Equal(0.0, accuracy.Top1Drop);
        Assert.True(accuracy.ReferenceTopK >= accuracy.ReferenceTop1);
        Assert.Same(logits, result.Labelled);
    }

    [Fact]
    public void A_constant_shift_of_every_logit_gives_that_error_and_keeps_every_decision()
    {
        const float Shift = 0.25f;
        using var reference = ModelSessions.Open(Mlp);
        using var candidate = ModelSessions.Open(WithLastBias(b => b + Shift));
        var data = DatasetLoader.Open(TestData, reference.Inputs).Take(100);

        var result = ModelComparison.Run(reference, candidate, data, TestLabels);

        var logits = result.Outputs[0];
        Assert.Equal(Shift * Shift, logits.Mse, 5);
        Assert.Equal(Shift, logits.MaxAbsError, 5);
        Assert.Equal(1.0, logits.Top1Agreement);
        Assert.Equal(0.0, logits.Accuracy!.Top1Drop);
        Assert.True(logits.Cosine < 1.0);
        Assert.Equal(10 * Math.Log10(SumOfSquaredLogits(reference, data) / (100 * 10 * Shift * Shift)), logits.SqnrDb, 2);
    }

    [Fact]
    public void A_class_that_always_wins_sets_agreement_and_accuracy_to_its_share()
    {
        using var reference = ModelSessions.Open(Mlp);
        using var candidate = ModelSessions.Open(WithLastBias((b, i) => i == 3 ? b + 1e4f : b));
        var data = DatasetLoader.Open(TestData, reference.Inputs);

        var logits = ModelComparison.Run(reference, candidate, data, TestLabels).Outputs[0];

        Assert.Equal(TestLabels.Count(l => l == 3) / 497.0, logits.Accuracy!.CandidateTop1, 9);
        Assert.Equal(PredictedShare(reference, data, 3), logits.Top1Agreement!.Value, 9);
    }

    [Fact]
    public void A_candidate_without_the_reference_outputs_is_refused()
    {
        var renamed = OnnxModelReader.Load(Mlp);
        renamed.Graph.Output[0].Name = "scores";
        renamed.Graph.Node[^1].Output[0] = "scores";
        using var reference = ModelSessions.Open(Mlp);
        using var candidate = ModelSessions.Open(renamed);
        var data = DatasetLoader.Open(TestData, reference.Inputs).Take(2);

        var error = Assert.Throws<CompressBuildException>(() => ModelComparison.Run(reference, candidate, data));

        Assert.Equal(DiagnosticCodes.ModelsDoNotMatch, error.Code);
        Assert.Contains("logits", error.Message, StringComparison.Ordinal);
    }

    private static OnnxModel WithLastBias(Func<float, float> change) => WithLastBias((b, _) => change(b));

    private static OnnxModel WithLastBias(Func<float, int, float> change)
    {
        var model = OnnxModelReader.Load(Mlp);
        var biasName = model.Graph.Node[^1].Input[2];
        var bias = model.Graph.Initializer.Single(t => t.Name == biasName);
        var values = TensorData.ToSingles(bias, model).Select(change).ToArray();
        var replacement = TensorData.FromArray<float>(biasName, bias.Dims.ToArray(), values);
        model.Graph.Initializer[model.Graph.Initializer.IndexOf(bias)] = replacement;
        return model;
    }

    private static double DirectTop1(InferenceSession session, Dataset data)
    {
        var hits = 0;
        for (var i = 0; i < data.Count; i++)
        {
            var scores = session.Run(data.Sample(i))[0].AsSpan<float>();
            hits += TensorPrimitives.IndexOfMax(scores) == TestLabels[i] ? 1 : 0;
        }

        return (double)hits / data.Count;
    }

    private static double PredictedShare(InferenceSession session, Dataset data, int label)
    {
        var count = 0;
        for (var i = 0; i < data.Count; i++)
        {
            count += TensorPrimitives.IndexOfMax(session.Run(data.Sample(i))[0].AsSpan<float>()) == label ? 1 : 0;
        }

        return (double)count / data.Count;
    }

    private static double SumOfSquaredLogits(InferenceSession session, Dataset data)
    {
        var sum = 0.0;
        for (var i = 0; i < data.Count; i++)
        {
            sum += TensorPrimitives.SumOfSquares<float>(session.Run(data.Sample(i))[0].AsSpan<float>());
        }

        return sum;
    }
}
