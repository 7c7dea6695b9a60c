using System.Xml.Linq;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Templates.Tests.Examples;

/// <summary>The example projects' inputs: what their READMEs promise (the trained fixtures, a config the engine loads).</summary>
public class ExampleProjectTests
{
    private static string Examples => Path.Combine(RepositoryPaths.Root, "examples");

    [Fact]
    public void DigitsClassifier_config_loads_as_int8_static_with_a_one_point_accuracy_budget()
    {
        var folder = Path.Combine(Examples, "DigitsClassifier");

        var model = Assert.Single(CompressConfigLoader.Load(Path.Combine(folder, "compress.yaml")).Models);

        Assert.Equal(Path.Combine(folder, "Models", "digits_cnn.onnx"), model.Path);
        Assert.Equal("int8-static", Assert.Single(model.Passes).Settings.Text("mode"));
        Assert.Equal(0.01, model.Budgets!.Number("max_accuracy_drop"));
        var item = Assert.Single(XDocument.Load(Path.Combine(folder, "DigitsClassifier.csproj")).Descendants("OnnxModel"));
        Assert.Equal("Models/digits_cnn.onnx", (string?)item.Attribute("Include"));
        Assert.Equal("compress.yaml", (string?)item.Attribute("Config"));
    }

    [Fact]
    public void DigitsPruneQuantize_sets_pruning_quantization_and_budgets_inline_on_files_that_exist()
    {
        var folder = Path.Combine(Examples, "DigitsPruneQuantize");

        var item = Assert.Single(XDocument.Load(Path.Combine(folder, "DigitsPruneQuantize.csproj")).Descendants("OnnxModel"));

        Assert.Null(item.Attribute("Config"));
        Assert.Equal("channel", (string?)item.Attribute("Prune"));
        Assert.Equal("int8-static", (string?)item.Attribute("Quantize"));
        Assert.NotNull(item.Attribute("MaxAccuracyDrop"));
        foreach (var metadata in new[] { "Include", "CalibrationData", "EvaluationData", "Labels" })
        {
            Assert.True(File.Exists(Path.Combine(folder, (string)item.Attribute(metadata)!)), $"{metadata} names a missing file");
        }
    }

    [Theory]
    [InlineData("DigitsClassifier/Models/digits_cnn.onnx", "cnn_residual.onnx")]
    [InlineData("DigitsClassifier/Data/calibration.npy", "calib_x_img.npy")]
    [InlineData("DigitsClassifier/Data/test.npy", "test_x_img.npy")]
    [InlineData("DigitsClassifier/Data/test_labels.npy", "test_labels.npy")]
    [InlineData("DigitsPruneQuantize/Models/digits_mlp.onnx", "mlp.onnx")]
    [InlineData("DigitsPruneQuantize/Data/calibration.npy", "calib_x_flat.npy")]
    [InlineData("DigitsPruneQuantize/Data/test.npy", "test_x_flat.npy")]
    [InlineData("DigitsPruneQuantize/Data/test_labels.npy", "test_labels.npy")]
    public void Example_models_and_data_are_the_trained_fixtures(string example, string fixture)
    {
        Assert.Equal(File.ReadAllBytes(Path.Combine(RepositoryPaths.Digits, fixture)), File.ReadAllBytes(Path.Combine(Examples, example)));
    }
}
