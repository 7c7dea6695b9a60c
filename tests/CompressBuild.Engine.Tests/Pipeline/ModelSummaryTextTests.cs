using CompressBuild.Engine.Pipeline;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline;

public sealed class ModelSummaryTextTests
{
    [Fact]
    public void A_model_below_the_config_is_named_by_its_relative_path_with_forward_slashes()
    {
        var root = Path.Combine(Path.GetTempPath(), "app");

        var name = ModelSummaryText.DisplayName(Path.Combine(root, "Models", "classifier.onnx"), Path.Combine(root, "compress.yaml"));

        Assert.Equal("Models/classifier.onnx", name);
    }

    [Fact]
    public void A_model_outside_the_config_folder_is_named_by_its_file_name()
    {
        // A config the MSBuild task generated lives in obj/; "../../Models/x.onnx" would read badly in a build log.
        var root = Path.Combine(Path.GetTempPath(), "app");

        var name = ModelSummaryText.DisplayName(Path.Combine(root, "Models", "classifier.onnx"), Path.Combine(root, "obj", "compressbuild", "classifier.yaml"));

        Assert.Equal("classifier.onnx", name);
    }
}
