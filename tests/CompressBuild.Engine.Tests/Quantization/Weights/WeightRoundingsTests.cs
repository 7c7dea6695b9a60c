using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Engine.Pipeline.Passes;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Weights;
using CompressBuild.Engine.Runtime;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Weights;

public class WeightRoundingsTests
{
    [Fact]
    public void The_schema_offers_exactly_the_registered_roundings_one_per_enum_value_for_int8_static()
    {
        Assert.Equal(WeightRoundings.All.Names, CompressConfigSchema.Quantize.Find("rounding")!.Choices);
        Assert.Equal(Enum.GetValues<WeightRounding>().Order(), WeightRoundings.All.Select(c => c.Value).Order());
        Assert.Contains("rounding", QuantizationModes.Int8Static.Options);
    }

    [Fact]
    public void Rounding_binds_adaround_and_nearest_defaults_to_auto_and_is_CB4063_for_a_weight_only_mode()
    {
        var plan = new PassPlan(PassRegistry.Quantize).With("mode", "int8-static");

        Assert.Equal(WeightRounding.Auto, QuantizeBinding.Bind(plan).Options.Rounding);
        Assert.Equal(WeightRounding.Nearest, QuantizeBinding.Bind(plan.With("rounding", "nearest")).Options.Rounding);
        Assert.Equal(WeightRounding.AdaRound, QuantizeBinding.Bind(plan.With("rounding", "adaround")).Options.Rounding);
        Assert.Empty(QuantizeBinding.Ignored(plan.With("rounding", "adaround")));
        var advisory = Assert.Single(QuantizeBinding.Ignored(plan.With("mode", "int4-weight").With("rounding", "adaround")));
        Assert.StartsWith("rounding applies only to mode int8-static;", advisory.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_not_yet_chosen_on_held_out_samples_is_gptq_with_calibration_samples_nearest_without_and_a_named_rounding_stays_itself()
    {
        var data = new Dataset("memory", 2, i => [HostTensor.FromArray<float>("x", [1, 2], [i, -i])]);
        var empty = new Dataset("empty.npy", 0, _ => []);

        Assert.Equal(WeightRounding.Gptq, WeightRoundings.Resolve(WeightRounding.Auto, data));
        Assert.Equal(WeightRounding.Nearest, WeightRoundings.Resolve(WeightRounding.Auto, empty));
        Assert.Equal(WeightRounding.Nearest, WeightRoundings.Resolve(WeightRounding.Auto, null));
        Assert.Equal(WeightRounding.AdaRound, WeightRoundings.Resolve(WeightRounding.AdaRound, data));
        Assert.Equal(WeightRounding.Nearest, WeightRoundings.Resolve(WeightRounding.Nearest, data));
    }
}
