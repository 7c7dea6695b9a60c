using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Quantization;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization;

public class GreedyPathScoreTests
{
    private static readonly float[] Reference = [0.5f, 0.3f, 0.2f, 0.5f, 0.3f, 0.2f, 0.5f, 0.3f, 0.2f, 0.5f, 0.3f, 0.2f];

    [Fact]
    public void A_candidate_that_keeps_every_top_class_scores_above_one_that_flips_a_row_whose_output_cosine_is_higher()
    {
        // Every row keeps class 0 on top; the two runner-up classes swap (squared error 0.02 a row).
        float[] keeps = [0.5f, 0.2f, 0.3f, 0.5f, 0.2f, 0.3f, 0.5f, 0.2f, 0.3f, 0.5f, 0.2f, 0.3f];
        // One row's decision flips to class 1 (squared error 0.045 in all).
        float[] flips = [0.35f, 0.45f, 0.2f, 0.5f, 0.3f, 0.2f, 0.5f, 0.3f, 0.2f, 0.5f, 0.3f, 0.2f];

        var keepsScore = Score(keeps);
        var flipsScore = Score(flips);

        Assert.Equal(0, keepsScore, 6);
        Assert.Equal(Math.Log(0.35 / 0.5) / 4, flipsScore, 6);
        Assert.True(Cosine(flips) > Cosine(keeps), "the example must be one where cosine prefers the flipped row");
    }

    [Fact]
    public void The_same_output_scores_zero_and_a_less_sure_top_class_scores_below_it()
    {
        float[] lessSure = [0.4f, 0.35f, 0.25f, 0.5f, 0.3f, 0.2f, 0.5f, 0.3f, 0.2f, 0.5f, 0.3f, 0.2f];

        Assert.Equal(0, Score(Reference), 9);
        Assert.True(Score(lessSure) < 0);
    }

    [Fact]
    public void Only_rows_of_probabilities_count_as_a_distribution()
    {
        Assert.True(GreedyPathScore.IsDistribution(Reference, 3));
        Assert.False(GreedyPathScore.IsDistribution(Reference, 4), "rows of 4 do not sum to 1");
        Assert.False(GreedyPathScore.IsDistribution([2.5f, -1f, 0.5f], 3), "logits");
        Assert.False(GreedyPathScore.IsDistribution([0.9f, 0.8f, 0.1f, 0.7f], 2), "a sigmoid map");
        Assert.False(GreedyPathScore.IsDistribution([1f], 1), "one class decides nothing");
    }

    [Fact]
    public void A_non_finite_candidate_counts_as_the_floor_not_as_a_gain()
    {
        float[] broken = [float.NaN, 0.3f, 0.2f, 0.5f, 0.3f, 0.2f, 0.5f, 0.3f, 0.2f, 0.5f, 0.3f, 0.2f];

        Assert.Equal(Math.Log(1e-6 / 0.5) / 4, Score(broken), 6);
    }

    private static double Score(float[] candidate)
    {
        var score = new GreedyPathScore();
        score.Add(Reference, candidate, 3);
        return score.Result();
    }

    private static double Cosine(float[] candidate)
    {
        var comparison = new OutputComparison("p", 0, 0);
        comparison.Add(Reference, candidate);
        return comparison.Result().Cosine;
    }
}
