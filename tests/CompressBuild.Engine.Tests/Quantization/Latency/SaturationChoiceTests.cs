using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Latency;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Latency;

public sealed class SaturationChoiceTests
{
    [Fact]
    public void Without_VNNI_weights_use_7_bits_activations_stay_u8_and_the_choice_is_reported()
    {
        var (options, advisory) = SaturationChoice.Choose(new QuantizationOptions(), canSaturate: true);

        Assert.Equal(QuantType.U8, options.ActivationType);
        Assert.Equal(QuantType.S8, options.WeightType);
        Assert.True(WeightRange.Reduced(options));
        Assert.Equal("CB4018", advisory!.Code);
        Assert.Contains("7 bits", advisory.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_VNNI_asked_s8_activations_are_kept_with_8_bit_weights()
    {
        var asked = new QuantizationOptions { ActivationType = QuantType.S8 };

        Assert.Equal((asked, (QuantizationAdvisory?)null), SaturationChoice.Choose(asked, canSaturate: true));
        Assert.False(WeightRange.Reduced(asked));
    }

    [Fact]
    public void With_VNNI_or_an_explicit_choice_the_options_are_kept()
    {
        var defaults = new QuantizationOptions();

        Assert.Equal((defaults, (QuantizationAdvisory?)null), SaturationChoice.Choose(defaults, canSaturate: false));
        var keepU8 = defaults with { ReduceRange = false };
        Assert.Equal((keepU8, (QuantizationAdvisory?)null), SaturationChoice.Choose(keepU8, canSaturate: true));
        var dynamic = defaults with { Mode = QuantizationMode.Int8Dynamic };
        Assert.Equal((dynamic, (QuantizationAdvisory?)null), SaturationChoice.Choose(dynamic, canSaturate: true));
    }

    [Fact]
    public void Asked_for_reduce_range_keeps_u8_activations_and_says_the_weights_use_7_bits()
    {
        var asked = new QuantizationOptions { ReduceRange = true };

        var (options, advisory) = SaturationChoice.Choose(asked, canSaturate: true);

        Assert.Equal(asked, options);
        Assert.True(WeightRange.Reduced(options));
        Assert.Contains("7 bits", advisory!.Message, StringComparison.Ordinal);
    }
}
