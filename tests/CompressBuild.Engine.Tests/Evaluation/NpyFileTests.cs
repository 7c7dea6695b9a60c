using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Evaluation;

public class NpyFileTests
{
    [Fact]
    public void Reads_numpy_written_arrays_lazily_by_sample()
    {
        var images = NpyFile.Open(Path.Combine(RepositoryPaths.Digits, "test_x_img.npy"));
        var flat = NpyFile.Open(Path.Combine(RepositoryPaths.Digits, "test_x_flat.npy"));

        Assert.Equal([497L, 1, 8, 8], images.Shape);
        Assert.Equal((int)TensorProto.Types.DataType.Float, images.ElementType);
        var sample = images.ReadSample("input", 3);
        Assert.Equal([1L, 8, 8], sample.Shape);

        // The same digit, stored as an image and as a flat vector by the fixture script.
        Assert.Equal(flat.ReadSample("input", 3).AsSpan<float>().ToArray(), sample.AsSpan<float>().ToArray());
        Assert.Equal([2L, 1, 8, 8], images.ReadSamples("input", 10, 2).Shape);
        Assert.Equal(images.ReadSample("x", 11).Data, images.ReadSamples("x", 10, 2).Data[(64 * 4)..]);
    }

    [Fact]
    public void Labels_are_int64()
    {
        var labels = NpyFile.Open(Path.Combine(RepositoryPaths.Digits, "test_labels.npy")).ReadAll("labels");

        Assert.Equal((int)TensorProto.Types.DataType.Int64, labels.ElementType);
        Assert.All(labels.AsSpan<long>().ToArray(), l => Assert.InRange(l, 0, 9));
    }

    [Fact]
    public void Version_2_headers_and_big_endian_data_read_correctly()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("be.npy"), NpyBytes.Create(">i4", "(2,)", [0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFE], version: 2));

        Assert.Equal([1, -2], NpyFile.Open(temp.File("be.npy")).ReadAll("x").AsSpan<int>().ToArray());
    }

    [Fact]
    public void A_scalar_array_is_one_sample()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("s.npy"), NpyBytes.Create("<f8", "()", BitConverter.GetBytes(2.5)));
        var file = NpyFile.Open(temp.File("s.npy"));

        Assert.Equal(1, file.SampleCount);
        Assert.Equal([2.5], file.ReadAll("s").AsSpan<double>().ToArray());
    }

    [Theory]
    [InlineData("<f4", "(2, 2)", 12, "False", "truncated")]
    [InlineData("<c8", "(1,)", 8, "False", "not supported")]
    [InlineData("|O", "(1,)", 8, "False", "not supported")]
    [InlineData("<f4", "(2,)", 8, "True", "Fortran")]
    [InlineData("<f4", "(two,)", 8, "False", "whole numbers")]
    public void Malformed_files_are_CB2010_with_the_reason(string descr, string shape, int bytes, string fortran, string reason)
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("bad.npy"), NpyBytes.Create(descr, shape, new byte[bytes], fortran: fortran));

        var error = Assert.Throws<CompressBuildException>(() => NpyFile.Open(temp.File("bad.npy")));

        Assert.Equal(DiagnosticCodes.DataInvalid, error.Code);
        Assert.Equal(temp.File("bad.npy"), error.File);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_without_the_signature_is_CB2010()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("x.npy"), "1,2,3\n");

        Assert.Equal(DiagnosticCodes.DataInvalid, Assert.Throws<CompressBuildException>(() => NpyFile.Open(temp.File("x.npy"))).Code);
    }
}
