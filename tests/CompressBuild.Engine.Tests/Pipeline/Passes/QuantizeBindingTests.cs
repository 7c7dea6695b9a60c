using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Engine.Pipeline.Passes;
using CompressBuild.Engine.Pipeline.Search;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Passes;

public sealed class QuantizeBindingTests : IDisposable
{
    private readonly TempFolder temp = new();

    public QuantizeBindingTests()
    {
        File.Copy(Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), temp.File("mlp.onnx"));
        File.Copy(Path.Combine(RepositoryPaths.Digits, "calib_x_flat.npy"), temp.File("calib.npy"));
    }

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("", true)]
    [InlineData(", preprocess: true", true)]
    [InlineData(", preprocess: false", false)]
    public void Preprocess_in_compress_yaml_reaches_the_quantizer_and_defaults_to_on(string setting, bool expected)
    {
        File.WriteAllText(temp.File("compress.yaml"), $$"""
            version: 1
            models:
              - path: mlp.onnx
                passes:
                  - quantize: { mode: int8-static, calibration: { data: calib.npy }{{setting}} }
            """);
        var config = CompressConfigLoader.Load(temp.File("compress.yaml"));
        var plan = PlanFactory.FromConfig(config.Models[0].Passes);

        Assert.Equal(expected, QuantizeBinding.Bind(plan.Passes[0]).Options.Preprocess);
    }
}
