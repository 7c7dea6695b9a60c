using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization;

/// <summary>The mode registry is the one spelling of every mode: the schema, the quantizer's names and the search read it.</summary>
public sealed class QuantizationModesTests
{
    [Fact]
    public void Every_mode_has_exactly_one_descriptor_and_its_name_round_trips()
    {
        Assert.Equal(Enum.GetValues<QuantizationMode>().Order(), QuantizationModes.All.Select(m => m.Mode).Order());
        foreach (var mode in Enum.GetValues<QuantizationMode>())
        {
            Assert.Equal(mode, QuantizationModes.All.Find(ModelQuantizer.ModeName(mode))!.Mode);
        }
    }

    [Fact]
    public void The_schema_offers_exactly_the_registered_modes_and_calibration_methods()
    {
        Assert.Equal(QuantizationModes.All.Names, CompressConfigSchema.Quantize.Find("mode")!.Choices);
        Assert.Equal(CalibrationMethods.All.Names, CompressConfigSchema.Calibration.Find("method")!.Choices);
        Assert.Equal(Enum.GetValues<CalibrationMethod>().Order(), CalibrationMethods.All.Select(m => m.Value).Order());
    }

    [Fact]
    public void The_schema_offers_exactly_the_registered_scale_constraints_one_per_enum_value()
    {
        Assert.Equal(ScaleConstraints.All.Names, CompressConfigSchema.Quantize.Find("scale_constraint")!.Choices);
        Assert.Equal(Enum.GetValues<ScaleConstraint>().Order(), ScaleConstraints.All.Select(c => c.Value).Order());
        Assert.Contains("scale_constraint", QuantizationModes.Int8Static.Options);
    }

    [Fact]
    public void A_mode_names_only_options_the_quantize_section_has_and_no_option_belongs_to_two_mode_families()
    {
        foreach (var mode in QuantizationModes.All)
        {
            Assert.All(mode.Options, o => Assert.NotNull(CompressConfigSchema.Quantize.Find(o)));
        }

        // int4-weight and int8-weight share their block options; any other overlap would be a copy-paste slip.
        var owners = QuantizationModes.All.SelectMany(m => m.Options.Select(o => (Option: o, m.Options))).GroupBy(x => x.Option);
        Assert.All(owners, g => Assert.Single(g.Select(x => x.Options).Distinct()));
    }

    [Fact]
    public void Only_int8_static_requires_calibration_and_the_fallbacks_are_int8_dynamic_then_fp16()
    {
        Assert.Equal([QuantizationModes.Int8Static], QuantizationModes.All.Where(m => m.Calibration == CalibrationUse.Required));
        Assert.Equal(["int8-dynamic", "fp16"], QuantizationModes.Fallbacks.Select(m => m.Name));
        Assert.False(QuantizationModes.Fp16.KeepsLayersFloat);
        Assert.Equal((13, false), (QuantizationModes.Int8Static.Opset, QuantizationModes.Int8Static.OpsetForConvOnly));
        Assert.Equal((21, true), (QuantizationModes.Int4Weight.Opset, QuantizationModes.Int4Weight.OpsetForConvOnly));
        Assert.Null(QuantizationModes.Fp16.Opset);
    }
}
