using System.IO.Compression;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using DataType = CompressBuild.Engine.Onnx.Proto.TensorProto.Types.DataType;

namespace CompressBuild.Engine.Tests.Evaluation;

public class DatasetLoaderTests
{
    private static readonly ValueInfo ImageInput = new("input", OnnxValueKind.Tensor, (int)DataType.Float, [-1, 1, 8, 8], ["batch", "", "", ""]);
    private static readonly ValueInfo FlatInput = new("input", OnnxValueKind.Tensor, (int)DataType.Float, [-1, 64], ["batch", ""]);

    private static string Digits(string name) => Path.Combine(RepositoryPaths.Digits, name);

    [Fact]
    public void A_stacked_npy_gives_one_batch_of_one_per_sample()
    {
        var data = DatasetLoader.Open(Digits("test_x_img.npy"), [ImageInput]);

        Assert.Equal(497, data.Count);
        var sample = Assert.Single(data.Sample(5));
        Assert.Equal("input", sample.Name);
        Assert.Equal([1L, 1, 8, 8], sample.Shape);
        Assert.Equal(5, data.Take(5).Count);
    }

    [Fact]
    public void Test_data_set_folders_are_read_in_numeric_order()
    {
        var data = DatasetLoader.Open(Digits("cnn_residual_test_data"), [ImageInput]);

        Assert.Equal(1, data.Count);
        Assert.Equal([4L, 1, 8, 8], data.Sample(0)[0].Shape);
    }

    [Fact]
    public void An_npz_maps_arrays_to_inputs_by_name()
    {
        using var temp = new TempFolder();
        using (var zip = ZipFile.Open(temp.File("d.npz"), ZipArchiveMode.Create))
        {
            foreach (var name in new[] { "a", "b" })
            {
                using var entry = zip.CreateEntry(name + ".npy").Open();
                entry.Write(File.ReadAllBytes(Digits("calib_x_flat.npy")));
            }
        }

        ValueInfo[] inputs = [FlatInput with { Name = "b" }, FlatInput with { Name = "a" }];
        var data = DatasetLoader.Open(temp.File("d.npz"), inputs);

        Assert.Equal(200, data.Count);
        Assert.Equal(["b", "a"], data.Sample(0).Select(t => t.Name));
        Assert.Equal(DiagnosticCodes.DataDoesNotMatchModel, Assert.Throws<CompressBuildException>(() => DatasetLoader.Open(temp.File("d.npz"), [FlatInput with { Name = "c" }, FlatInput])).Code);
    }

    [Fact]
    public void A_folder_of_npy_files_feeds_a_model_input_each()
    {
        using var temp = new TempFolder();
        File.Copy(Digits("calib_x_flat.npy"), temp.File("left.npy"));
        File.Copy(Digits("calib_x_flat.npy"), temp.File("right.npy"));

        var data = DatasetLoader.Open(temp.Path, [FlatInput with { Name = "left" }, FlatInput with { Name = "right" }]);

        Assert.Equal(200, data.Count);
    }

    [Fact]
    public void Arrays_of_different_lengths_are_CB2011()
    {
        using var temp = new TempFolder();
        File.Copy(Digits("calib_x_flat.npy"), temp.File("left.npy"));
        File.Copy(Digits("test_x_flat.npy"), temp.File("right.npy"));

        var error = Assert.Throws<CompressBuildException>(() => DatasetLoader.Open(temp.Path, [FlatInput with { Name = "left" }, FlatInput with { Name = "right" }]));

        Assert.Equal(DiagnosticCodes.DataDoesNotMatchModel, error.Code);
        Assert.Contains("left: 200", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_wrong_type_is_CB2011_naming_both_types()
    {
        var error = Assert.Throws<CompressBuildException>(() => DatasetLoader.Open(Digits("test_labels.npy"), [FlatInput with { Shape = [-1], SymbolicDims = ["batch"] }]));

        Assert.Equal(DiagnosticCodes.DataDoesNotMatchModel, error.Code);
        Assert.Contains("expects float32 [batch], the data gives int64", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_single_npy_for_a_two_input_model_is_CB2011()
    {
        var error = Assert.Throws<CompressBuildException>(() => DatasetLoader.Open(Digits("calib_x_flat.npy"), [FlatInput, FlatInput with { Name = "other" }]));

        Assert.Equal(DiagnosticCodes.DataDoesNotMatchModel, error.Code);
        Assert.Contains("2 inputs", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing.npy")]
    [InlineData("data.csv")]
    public void Missing_or_unknown_files_are_CB2010(string name)
    {
        using var temp = new TempFolder();
        if (name.EndsWith(".csv", StringComparison.Ordinal))
        {
            File.WriteAllText(temp.File(name), "1,2");
        }

        Assert.Equal(DiagnosticCodes.DataInvalid, Assert.Throws<CompressBuildException>(() => DatasetLoader.Open(temp.File(name), [FlatInput])).Code);
    }

    [Fact]
    public void A_corrupt_npz_is_CB2010()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("d.npz"), File.ReadAllBytes(Digits("calib_x_flat.npy")));

        var error = Assert.Throws<CompressBuildException>(() => DatasetLoader.Open(temp.File("d.npz"), [FlatInput]));

        Assert.Equal(DiagnosticCodes.DataInvalid, error.Code);
        Assert.Equal(temp.File("d.npz"), error.File);
    }

    [Fact]
    public void A_data_set_with_the_wrong_number_of_inputs_is_CB2011()
    {
        var error = Assert.Throws<CompressBuildException>(() => DatasetLoader.Open(Digits("mlp_test_data"), [FlatInput, FlatInput with { Name = "second" }]));

        Assert.Equal(DiagnosticCodes.DataDoesNotMatchModel, error.Code);
        Assert.Contains("test_data_set_0 has 1 input_K.pb file(s) but the model has 2 input(s)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_input_pb_is_CB2010_naming_the_file()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("test_data_set_0"));
        File.WriteAllBytes(temp.File("test_data_set_0/input_0.pb"), [0x0A, 0xFF, 0xFF, 0xFF]);

        var error = Assert.Throws<CompressBuildException>(() => DatasetLoader.Open(temp.Path, [FlatInput]));

        Assert.Equal(DiagnosticCodes.DataInvalid, error.Code);
        Assert.Equal(temp.File("test_data_set_0/input_0.pb"), error.File);
    }
}
