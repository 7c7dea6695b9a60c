using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Choices;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Quantization.Mixed;
using CompressBuild.Engine.Quantization.Weights;

namespace CompressBuild.Engine.Pipeline.Passes;

/// <summary>A <c>quantize</c> pass's settings (from compress.yaml or the CLI's options, by schema key) to a <see cref="QuantizationRequest"/>.</summary>
public static class QuantizeBinding
{
    public static QuantizationRequest Bind(PassPlan pass)
    {
        var defaults = new QuantizationOptions();
        var keepFloat = pass.List("keep_float");
        var options = new QuantizationOptions
        {
            Mode = QuantizationModes.All.Find(pass.Text("mode"))?.Mode ?? defaults.Mode,
            Calibration = CalibrationMethods.All.ValueOf(pass.Text("calibration.method"), defaults.Calibration),
            Percentile = pass.Number("calibration.percentile") ?? defaults.Percentile,
            PerChannel = !(pass.Flag("per_tensor") ?? false),
            ActivationType = QuantTypes.All.ValueOf(pass.Text("activation_type"), defaults.ActivationType),
            WeightType = QuantTypes.All.ValueOf(pass.Text("weight_type"), defaults.WeightType),
            ActivationSymmetric = pass.Flag("activation_symmetric") ?? defaults.ActivationSymmetric,
            WeightSymmetric = !(pass.Flag("weight_asymmetric") ?? !defaults.WeightSymmetric),
            BlockSize = pass.WholeNumber("block_size") ?? defaults.BlockSize,
            Gptq = pass.Flag("gptq"),
            Split = pass.Flag("split") ?? false,
            BlockSymmetric = !(pass.Flag("asymmetric") ?? !defaults.BlockSymmetric),
            AccuracyLevel = pass.WholeNumber("accuracy_level") ?? defaults.AccuracyLevel,
            ExcludeNodes = pass.List("exclude_nodes"),
            ExcludeOpTypes = pass.List("exclude_op_types"),
            KeepFloat = (keepFloat.Contains("first") ? KeepFloat.First : KeepFloat.None) | (keepFloat.Contains("last") ? KeepFloat.Last : KeepFloat.None),
            Fp16BlockList = pass.Get("fp16_block_list") is null ? defaults.Fp16BlockList : pass.List("fp16_block_list"),
            KeepIoTypes = !(pass.Flag("fp16_io") ?? false),
            BiasCorrection = pass.Flag("bias_correction") ?? false,
            Preprocess = pass.Flag("preprocess") ?? defaults.Preprocess,
            LatencyAware = pass.Flag("latency_aware") ?? defaults.LatencyAware,
            LatencyPlacement = pass.Flag("latency_placement") ?? defaults.LatencyPlacement,
            ReduceRange = pass.Flag("reduce_range"),
            Sensitivity = SensitivityMethods.All.ValueOf(pass.Text("sensitivity"), defaults.Sensitivity),
            MixedUnits = MixedPrecisionUnits.All.ValueOf(pass.Text("mixed_units"), defaults.MixedUnits),
            ScaleConstraint = ScaleConstraints.All.ValueOf(pass.Text("scale_constraint"), defaults.ScaleConstraint),
            Rounding = WeightRoundings.All.ValueOf(pass.Text("rounding"), defaults.Rounding),
            Smooth = pass.Number("smooth"),
        };
        return new QuantizationRequest(options, pass.Text("calibration.data"), pass.WholeNumber("calibration.samples") ?? 0, pass.Number("target_cosine"), pass.WholeNumber("keep_float_top"));
    }

    /// <summary>
    /// Warnings (CB4063) for settings the chosen mode does not read, e.g. block_size with int8-static: they would
    /// otherwise be ignored without a word, and the user believes they are in effect.
    /// </summary>
    public static IReadOnlyList<Advisory> Ignored(PassPlan pass)
    {
        var mode = QuantizationModes.All.Find(pass.Text("mode")) ?? QuantizationModes.Of(new QuantizationOptions().Mode);
        return [.. QuantizationModes.IgnoredBy(mode, pass.Settings.Keys).Select(key => new Advisory(DiagnosticCodes.SettingIgnoredByMode,
            $"{key} applies only to mode {QuantizationModes.Readers(key)}; mode {mode.Name} ignores it. Remove it, or choose the mode it belongs to."))];
    }
}
