using System.Collections.Immutable;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Engine.Pipeline.Passes;
using CompressBuild.Engine.Pipeline.Search;
using CompressBuild.Engine.Quantization;
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

    [Fact]
    public void Scale_constraint_binds_pot_defaults_to_none_and_is_CB4063_for_a_weight_only_mode()
    {
        var plan = new PassPlan(PassRegistry.Quantize).With("mode", "int8-static");

        Assert.Equal(ScaleConstraint.None, QuantizeBinding.Bind(plan).Options.ScaleConstraint);
        Assert.Equal(ScaleConstraint.PowerOfTwo, QuantizeBinding.Bind(plan.With("scale_constraint", "pot")).Options.ScaleConstraint);
        Assert.Empty(QuantizeBinding.Ignored(plan.With("scale_constraint", "pot")));
        var advisory = Assert.Single(QuantizeBinding.Ignored(plan.With("mode", "int4-weight").With("scale_constraint", "pot")));
        Assert.StartsWith("scale_constraint applies only to mode int8-static;", advisory.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Smooth_binds_its_alpha_defaults_to_off_and_is_CB4063_for_int8_dynamic()
    {
        var plan = new PassPlan(PassRegistry.Quantize).With("mode", "int8-static");

        Assert.Null(QuantizeBinding.Bind(plan).Options.Smooth);
        Assert.Equal(0.8, QuantizeBinding.Bind(plan.With("smooth", 0.8)).Options.Smooth);
        Assert.Empty(QuantizeBinding.Ignored(plan.With("smooth", 0.8)));
        var advisory = Assert.Single(QuantizeBinding.Ignored(plan.With("mode", "int8-dynamic").With("smooth", 0.8)));
        Assert.StartsWith("smooth applies only to mode int8-static;", advisory.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_only_another_mode_reads_are_CB4063_naming_the_modes_that_read_them()
    {
        var plan = new PassPlan(PassRegistry.Quantize).With("mode", "int8-static").With("block_size", 64L).With("per_tensor", true).With("exclude_nodes", new[] { "a" }.ToImmutableArray());

        var advisory = Assert.Single(QuantizeBinding.Ignored(plan));

        Assert.Equal("CB4063", advisory.Code.Id);
        Assert.StartsWith("block_size applies only to mode int4-weight or int8-weight; mode int8-static ignores it.", advisory.Message, StringComparison.Ordinal);
        Assert.Empty(QuantizeBinding.Ignored(plan.With("mode", "int4-weight").Without("per_tensor")));
    }
}
