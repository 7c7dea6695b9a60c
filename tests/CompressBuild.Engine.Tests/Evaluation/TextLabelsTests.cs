using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Evaluation;

public sealed class TextLabelsTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private string Write(string name, byte[] bytes)
    {
        var path = temp.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Each_line_is_one_sample_s_text_kept_as_written_with_crlf_and_the_final_break_dropped()
    {
        var path = Write("truth.txt", "total 17.50 \r\n\nTel: 0815\n"u8.ToArray());

        Assert.Equal(["total 17.50 ", "", "Tel: 0815"], TextLabels.Load(path));
    }

    [Fact]
    public void An_npy_an_empty_file_and_text_that_is_not_utf8_are_CB2065()
    {
        foreach (var (name, bytes) in new[] { ("labels.npy", "x"u8.ToArray()), ("empty.txt", Array.Empty<byte>()), ("latin1.txt", new byte[] { 0x63, 0x61, 0x66, 0xe9, 0x0a }) })
        {
            var path = Write(name, bytes);
            var error = Assert.Throws<CompressBuildException>(() => TextLabels.Load(path));
            Assert.Equal((DiagnosticCodes.TextLabelsInvalid, path), (error.Code, error.File));
        }
    }

    [Fact]
    public void More_lines_than_samples_is_CB2065_at_the_first_line_without_a_sample()
    {
        var error = Assert.Throws<CompressBuildException>(() => TextLabels.CheckCount(["a", "b", "c"], 2, "truth.txt", "lines.npy"));

        Assert.Equal((DiagnosticCodes.TextLabelsInvalid, "truth.txt", 3), (error.Code, error.File, error.Line));
        Assert.Contains("3 lines of text for 2 samples in 'lines.npy'", error.Message, StringComparison.Ordinal);
    }
}
