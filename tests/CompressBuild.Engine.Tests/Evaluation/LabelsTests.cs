using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Evaluation;

public class LabelsTests
{
    [Fact]
    public void Integer_npy_labels_are_read_in_order()
    {
        var labels = Labels.Load(Path.Combine(RepositoryPaths.Digits, "test_labels.npy"));

        Assert.Equal(497, labels.Length);
        Assert.All(labels, l => Assert.InRange(l, 0, 9));
        Assert.Equal(10, labels.Distinct().Count());
    }

    [Fact]
    public void A_text_file_has_one_label_per_line_and_skips_blank_and_comment_lines()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("labels.txt"), "# class per sample\n3\n\n 7 \n0\n");

        Assert.Equal([3L, 7, 0], Labels.Load(temp.File("labels.txt")));
    }

    [Fact]
    public void A_bad_text_line_is_reported_with_its_line_number()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("labels.txt"), "3\n7\ncat\n");

        var error = Assert.Throws<CompressBuildException>(() => Labels.Load(temp.File("labels.txt")));

        Assert.Equal(DiagnosticCodes.DataInvalid, error.Code);
        Assert.Equal(3, error.Line);
        Assert.Contains("cat", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Float_arrays_are_not_labels()
    {
        var error = Assert.Throws<CompressBuildException>(() => Labels.Load(Path.Combine(RepositoryPaths.Digits, "calib_x_flat.npy")));

        Assert.Equal(DiagnosticCodes.DataInvalid, error.Code);
        Assert.Contains("float", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_label_count_different_from_the_sample_count_is_a_mismatch()
    {
        var error = Assert.Throws<CompressBuildException>(() => Labels.CheckCount([1, 2, 3], 4, "labels.txt", "data.npy"));

        Assert.Equal(DiagnosticCodes.DataDoesNotMatchModel, error.Code);
        Assert.Contains("3 labels for 4 samples", error.Message, StringComparison.Ordinal);
    }
}
