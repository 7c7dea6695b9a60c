using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Engine.Pipeline.Passes;
using CompressBuild.Engine.Pipeline.Search;
using CompressBuild.Engine.Pruning;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Passes;

public sealed class PruneBindingTests : IDisposable
{
    private readonly TempFolder temp = new();

    public PruneBindingTests() => File.Copy(Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), temp.File("mlp.onnx"));

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("method: channel", true, 1)]
    [InlineData("method: channel, round_to: auto", true, 1)]
    [InlineData("method: channel, round_to: 1", false, 1)]
    [InlineData("method: channel, round_to: 8", false, 8)]
    [InlineData("method: magnitude", false, 1)]
    public void Round_to_in_compress_yaml_defaults_to_auto_for_the_channel_method_and_a_number_keeps_it(string settings, bool auto, int roundTo)
    {
        var bound = Bind(settings);

        Assert.Equal(auto, bound.RoundToAuto);
        Assert.Equal(roundTo, bound.RoundTo);
    }

    [Fact]
    public void Round_to_auto_written_out_with_a_method_other_than_channel_is_still_a_conflict()
    {
        var e = Assert.Throws<CompressBuild.Engine.Diagnostics.CompressBuildException>(() => Bind("method: magnitude, round_to: auto"));

        Assert.Equal("CB2043", e.Code.Id);
    }

    private PruneSettings Bind(string settings)
    {
        File.WriteAllText(temp.File("compress.yaml"), $$"""
            version: 1
            models:
              - path: mlp.onnx
                passes:
                  - prune: { {{settings}} }
            """);
        var config = CompressConfigLoader.Load(temp.File("compress.yaml"));
        return PruneBinding.Bind(PlanFactory.FromConfig(config.Models[0].Passes).Passes[0]);
    }
}
