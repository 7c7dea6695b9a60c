using CompressBuild.Engine.Evaluation.Metrics;
using Xunit;

namespace CompressBuild.Engine.Tests.Evaluation.Metrics;

public class TopKCounterTests
{
    [Fact]
    public void A_label_counts_in_the_top_k_when_fewer_than_k_classes_score_higher()
    {
        var counter = new TopKCounter(2);
        counter.Add([0.5f, 0.3f, 0.2f], 0);
        counter.Add([0.5f, 0.3f, 0.2f], 1);
        counter.Add([0.5f, 0.3f, 0.2f], 2);
        counter.Add([0.5f, 0.3f, 0.2f], 7);

        Assert.Equal(0.25, counter.Top1);
        Assert.Equal(0.5, counter.TopK);
    }
}
