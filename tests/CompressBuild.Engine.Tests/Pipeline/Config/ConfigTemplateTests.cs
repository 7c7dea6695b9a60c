using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Config;

public class ConfigTemplateTests
{
    [Fact]
    public void With_data_the_starter_file_loads_and_calibrates_int8_static_against_labels()
    {
        using var temp = new DigitsWorkspace();

        var yaml = ConfigTemplate.Create(OnnxModelReader.Load(temp.File("mlp.onnx")), new("mlp.onnx", "calib_x_flat.npy", "test_x_flat.npy", "test_labels.npy", "compress.schema.json"));
        var config = CompressConfigLoader.Load(temp.WriteConfig(yaml));

        Assert.StartsWith("# yaml-language-server: $schema=compress.schema.json\n", yaml, StringComparison.Ordinal);
        Assert.Contains("#   input  input: tensor(float32) [batch,64]", yaml, StringComparison.Ordinal);
        var model = Assert.Single(config.Models);
        var pass = Assert.Single(model.Passes);
        Assert.Equal("int8-static", pass.Settings.Text("mode"));
        Assert.Equal(temp.File("calib_x_flat.npy"), pass.Settings.Section("calibration")!.Text("data"));
        Assert.Equal(temp.File("test_labels.npy"), model.Evaluation!.Text("labels"));
        Assert.Equal(0.01, model.Budgets!.Number("max_accuracy_drop"));
        Assert.Equal("auto", model.Search!.Text("mode"));
    }

    [Fact]
    public void Without_data_it_still_loads_and_leaves_data_sections_as_comments()
    {
        using var temp = new TempFolder();
        var dir = Directory.CreateDirectory(temp.File("my models")).FullName;
        File.Copy(Path.Combine(RepositoryPaths.Digits, "cnn_residual.onnx"), Path.Combine(dir, "cnn #1.onnx"));

        var yaml = ConfigTemplate.Create(OnnxModelReader.Load(Path.Combine(dir, "cnn #1.onnx")), new("my models/cnn #1.onnx", null, null, null, null));
        File.WriteAllText(temp.File("compress.yaml"), yaml);
        var model = Assert.Single(CompressConfigLoader.Load(temp.File("compress.yaml")).Models);

        Assert.Equal(Path.Combine(dir, "cnn #1.onnx"), model.Path);
        Assert.Equal("int8-dynamic", Assert.Single(model.Passes).Settings.Text("mode"));
        Assert.Null(model.Evaluation);
        Assert.False(model.Budgets!.Has("max_accuracy_drop"));
        Assert.Contains("# - prune: { method: channel", yaml, StringComparison.Ordinal);
    }
}
