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
}
