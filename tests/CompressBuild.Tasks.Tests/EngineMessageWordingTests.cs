using Xunit;

namespace CompressBuild.Tasks.Tests;

public class EngineMessageWordingTests
{
    [Theory]
    [InlineData("mlp: no labels, so top-1 cannot be measured; pass --labels <file>.", "mlp: no labels, so top-1 cannot be measured; set Labels <file>.")]
    [InlineData("--importance activation needs --calibration-data", "PruneImportance activation needs CalibrationData")]
    [InlineData("calibration.data with method nm is only used by reconstruct", "CalibrationData with method nm is only used by reconstruct")]
    [InlineData("sparsity 1.5 is outside [0, 1); see model.onnx and v1.2.", "sparsity 1.5 is outside [0, 1); see model.onnx and v1.2.")]
    [InlineData("the interval is still wide. Raise --max-time.", "the interval is still wide. Raise CompressBuildMaxTime.")]
    [InlineData("--min-agreement was not checked", "MinAgreement was not checked")]
    [InlineData("min_cosine 0.98 missed (budget 0.99)", "MinCosine 0.98 missed (budget 0.99)")]
    public void In_a_generated_config_flags_and_keys_become_metadata_names(string engine, string build)
    {
        Assert.Equal(build, EngineMessageWording.For(engine, generatedConfig: true));
    }

    [Theory]
    [InlineData("pass --labels <file>.", "set evaluation: labels <file>.")]
    [InlineData("--min-agreement was not checked", "min_agreement was not checked")]
    [InlineData("min_cosine 0.98 missed", "min_cosine 0.98 missed")]
    public void With_a_compress_yaml_flags_become_its_keys(string engine, string build)
    {
        Assert.Equal(build, EngineMessageWording.For(engine, generatedConfig: false));
    }

    [Fact]
    public void Paths_and_unknown_flags_are_left_alone()
    {
        const string Text = "/tmp/run--x/model_v2.onnx: --no-such-flag exclude_nodes";

        Assert.Equal(Text, EngineMessageWording.For(Text, generatedConfig: true));
    }
}
