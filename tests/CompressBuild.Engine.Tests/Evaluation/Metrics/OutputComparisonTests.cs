using CompressBuild.Engine.Evaluation.Metrics;
using Xunit;

namespace CompressBuild.Engine.Tests.Evaluation.Metrics;

public class OutputComparisonTests
{
    [Fact]
    public void Orthogonal_outputs_have_cosine_zero_and_opposite_ones_minus_one()
    {
        var comparison = new OutputComparison("y", classes: 0, topK: 0);
        comparison.Add([1f, 0f], [0f, 1f]);
        comparison.Add([1f, 2f], [-1f, -2f]);

        var result = comparison.Result();

        Assert.Equal(-0.5, result.Cosine, 6);
        Assert.Equal(-1.0, result.MinCosine, 6);
        Assert.Equal((1 + 1 + 4 + 16) / 4.0, result.Mse, 9);
        Assert.Equal(4.0, result.MaxAbsError, 9);
        Assert.Null(result.Top1Agreement);
        Assert.Null(result.Accuracy);
    }

    [Fact]
    public void Rows_of_a_batched_classification_output_are_scored_one_by_one()
    {
        var comparison = new OutputComparison("logits", classes: 3, topK: 2);
        comparison.Add([0.1f, 0.9f, 0.0f, 0.7f, 0.2f, 0.1f], [0.2f, 0.8f, 0.0f, 0.1f, 0.2f, 0.7f], [1, 1]);

        var result = comparison.Result();

        Assert.Equal(0.5, result.Top1Agreement);
        var accuracy = result.Accuracy!;
        Assert.Equal(2, accuracy.K);
        Assert.Equal(0.5, accuracy.ReferenceTop1);
        Assert.Equal(0.5, accuracy.CandidateTop1);
        Assert.Equal(1.0, accuracy.ReferenceTopK);
        Assert.Equal(1.0, accuracy.CandidateTopK);
    }

    [Fact]
    public void Sqnr_is_signal_over_error_energy_in_decibels()
    {
        var comparison = new OutputComparison("y", classes: 0, topK: 0);
        comparison.Add([10f, 0f], [9f, 0f]);

        Assert.Equal(20.0, comparison.Result().SqnrDb, 9);
    }

    [Fact]
    public void Different_lengths_are_a_programming_error()
    {
        var comparison = new OutputComparison("y", classes: 0, topK: 0);

        Assert.Throws<ArgumentException>(() => comparison.Add([1f, 2f], [1f]));
    }
}
