using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation.Metrics;
using Xunit;

namespace CompressBuild.Engine.Tests.Evaluation.Metrics;

public class CtcGreedyDecoderTests
{
    /// <summary>Classes: 0 blank, 1 'a', 2 'b', 3 space (appended after the keys, as PaddleOCR does).</summary>
    private static float[] Steps(params int[] best)
    {
        var scores = new float[best.Length * 4];
        for (var t = 0; t < best.Length; t++)
        {
            for (var c = 0; c < 4; c++)
            {
                scores[(t * 4) + c] = c == best[t] ? 0.7f : 0.1f;
            }
        }

        return scores;
    }

    [Fact]
    public void Repeats_merge_blanks_separate_and_the_last_class_is_the_space()
    {
        var decoder = new CtcGreedyDecoder(["a", "b"]);
        Assert.Equal(4, decoder.ClassCount);
        Assert.Equal("ab a", decoder.Decode(Steps(1, 1, 0, 2, 3, 3, 1, 0)));
        Assert.Equal("aa", decoder.Decode(Steps(1, 0, 1)));
        Assert.Equal("", decoder.Decode(Steps(0, 0)));
    }

    [Fact]
    public void Scores_that_are_not_whole_steps_of_the_keys_fail_with_CB2011()
    {
        var decoder = new CtcGreedyDecoder(["a", "b", "c"]);
        var error = Assert.Throws<CompressBuildException>(() => decoder.Decode(Steps(1, 2)));
        Assert.Equal(DiagnosticCodes.DataDoesNotMatchModel, error.Code);
    }

    [Fact]
    public void A_keys_file_holds_one_key_per_line_and_a_missing_one_fails_with_CB2010()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "a\r\nb\n");
            Assert.Equal(4, CtcGreedyDecoder.FromKeysFile(path).ClassCount);
            Assert.Equal(3, CtcGreedyDecoder.FromKeysFile(path, appendSpace: false).ClassCount);
        }
        finally
        {
            File.Delete(path);
        }

        var error = Assert.Throws<CompressBuildException>(() => CtcGreedyDecoder.FromKeysFile(path));
        Assert.Equal(DiagnosticCodes.DataInvalid, error.Code);
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("\n", 1)]
    [InlineData("a\n\nb\n", 2)]
    public void An_empty_keys_file_or_an_empty_line_is_CB2064_with_the_line(string text, int line)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, text);
            var error = Assert.Throws<CompressBuildException>(() => CtcGreedyDecoder.ReadKeys(path));
            Assert.Equal(DiagnosticCodes.CtcKeysInvalid, error.Code);
            Assert.Equal(line == 0 ? null : line, error.Line);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Keys_that_are_not_utf8_are_CB2064()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [0x61, 0x0a, 0xff, 0xfe, 0x0a]);
            Assert.Equal(DiagnosticCodes.CtcKeysInvalid, Assert.Throws<CompressBuildException>(() => CtcGreedyDecoder.ReadKeys(path)).Code);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_output_width_says_whether_the_space_follows_the_keys_and_any_other_width_is_CB2066()
    {
        Assert.True(CtcGreedyDecoder.ForWidth(["a", "b"], 4, "y").AppendsSpace);
        var plain = CtcGreedyDecoder.ForWidth(["a", "b"], 3, "y");
        Assert.False(plain.AppendsSpace);
        Assert.Equal("ab", plain.Decode([0.1f, 0.8f, 0.1f, 0.1f, 0.1f, 0.8f]));

        var error = Assert.Throws<CompressBuildException>(() => CtcGreedyDecoder.ForWidth(["a", "b"], 6625, "softmax", "keys.txt"));
        Assert.Equal((DiagnosticCodes.CtcOutputNotFound, "keys.txt"), (error.Code, error.File));
        Assert.Contains("scores 6625 classes per time step but the keys file lists 2 characters", error.Message, StringComparison.Ordinal);
    }
}
