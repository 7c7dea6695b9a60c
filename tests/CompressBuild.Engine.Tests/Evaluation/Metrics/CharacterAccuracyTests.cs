using CompressBuild.Engine.Evaluation.Metrics;
using Xunit;

namespace CompressBuild.Engine.Tests.Evaluation.Metrics;

public class CharacterAccuracyTests
{
    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "", 3)]
    [InlineData("total 17.50", "total 17.50", 0)]
    [InlineData("tota1 17.5", "total 17.50", 2)]
    public void Distance_is_the_Levenshtein_distance(string a, string b, int expected) => Assert.Equal(expected, CharacterAccuracy.Distance(a, b));

    [Fact]
    public void Accuracy_is_one_minus_the_total_edits_over_the_total_truth_length()
    {
        var accuracy = new CharacterAccuracy();
        accuracy.Add("invoice", "invoice");
        accuracy.Add("cash", "card");
        Assert.Equal(2, accuracy.Lines);
        Assert.Equal(11, accuracy.Characters);
        Assert.Equal(1 - (2.0 / 11), accuracy.Value, 12);
    }
}
