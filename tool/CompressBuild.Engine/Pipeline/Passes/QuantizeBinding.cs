using CompressBuild.Engine.Pipeline.Search;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;

namespace CompressBuild.Engine.Pipeline.Passes;

/// <summary>compress.yaml's <c>quantize</c> settings (the CLI's options in snake_case) to a <see cref="QuantizationRequest"/>.</summary>
public static class QuantizeBinding
{
    public static QuantizationRequest Bind(PassPlan pass)
    {
        var defaults = new QuantizationOptions();
        var keepFloat = pass.List("keep_float");
        var options = new QuantizationOptions
        {
            Mode = pass.Text("mode") switch
            {
                "int8-dynamic" => QuantizationMode.Int8Dynamic,
                "int4-weight" => QuantizationMode.Int4Weight,
                "int8-weight" => QuantizationMode.Int8Weight,
                "fp16" => QuantizationMode.Fp16,
                _ => QuantizationMode.Int8Static,
            },
            Calibration = pass.Text("calibration.method") switch
            {
                "minmax" => CalibrationMethod.MinMax,
                "entropy" => CalibrationMethod.Entropy,
                "mse" => CalibrationMethod.Mse,
                _ => CalibrationMethod.Percentile,
            },
            Percentile = pass.Number("calibration.percentile") ?? defaults.Percentile,
            PerChannel = !(pass.Flag("per_tensor") ?? false),
            ActivationType = pass.Text("activation_type") == "s8" ? QuantType.S8 : QuantType.U8,
            WeightType = pass.Text("weight_type") == "u8" ? QuantType.U8 : QuantType.S8,
            ActivationSymmetric = pass.Flag("activation_symmetric") ?? defaults.ActivationSymmetric,
            WeightSymmetric = !(pass.Flag("weight_asymmetric") ?? !defaults.WeightSymmetric),
            BlockSize = pass.WholeNumber("block_size") ?? defaults.BlockSize,
            Gptq = pass.Flag("gptq"),
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
        };
        return new QuantizationRequest(options, pass.Text("calibration.data"), pass.WholeNumber("calibration.samples") ?? 0, pass.Number("target_cosine"), pass.WholeNumber("keep_float_top"));
    }
}
