using CompressBuild.Engine.Choices;
using CompressBuild.Engine.Quantization.WeightOnly;

namespace CompressBuild.Engine.Quantization;

/// <summary>
/// The registry of quantization modes: the only place their names are spelled. The CLI's <c>--mode</c>, the
/// schema's choices (and so the JSON Schema and the MSBuild <c>Quantize</c> metadata), the binding, the search's
/// fallbacks and every message read it. A new mode is one entry here plus its case in <see cref="ModelQuantizer"/>.
/// </summary>
public static class QuantizationModes
{
    private static readonly string[] StaticOptions =
        ["per_tensor", "activation_type", "weight_type", "activation_symmetric", "weight_asymmetric", "bias_correction", "latency_aware", "latency_placement",
            "reduce_range", "scale_constraint", "rounding", "smooth", "mixed_units"];
    private static readonly string[] WeightOnlyOptions = ["block_size", "gptq", "split", "asymmetric", "accuracy_level"];

    public static QuantizationModeInfo Int8Dynamic { get; } = new(QuantizationMode.Int8Dynamic, "int8-dynamic",
        "int8 weights, activations quantized at run time (DynamicQuantizeMatMul, ConvInteger); no calibration data")
    { Opset = ModelQuantizer.QdqOpset, OpsetForConvOnly = true, KeepsLayersFloat = true, FallbackOrder = 0 };

    public static QuantizationModeInfo Int8Static { get; } = new(QuantizationMode.Int8Static, "int8-static",
        "QuantizeLinear/DequantizeLinear pairs ONNX Runtime fuses into integer kernels; activation ranges calibrated on data")
    { Calibration = CalibrationUse.Required, Opset = ModelQuantizer.QdqOpset, Options = StaticOptions, KeepsLayersFloat = true };

    public static QuantizationModeInfo Int4Weight { get; } = new(QuantizationMode.Int4Weight, "int4-weight",
        "block-wise 4-bit weights (MatMulNBits), activations stay float; GPTQ with calibration data")
    { Opset = (int)ConvWeightOnly.Int4Opset, OpsetForConvOnly = true, Options = WeightOnlyOptions, KeepsLayersFloat = true };

    public static QuantizationModeInfo Int8Weight { get; } = new(QuantizationMode.Int8Weight, "int8-weight",
        "block-wise 8-bit weights (MatMulNBits), activations stay float; GPTQ with calibration data")
    { Opset = ModelQuantizer.QdqOpset, OpsetForConvOnly = true, Options = WeightOnlyOptions, KeepsLayersFloat = true };

    public static QuantizationModeInfo Fp16 { get; } = new(QuantizationMode.Fp16, "fp16",
        "weights and compute in float16, inputs and outputs keep their types; unsafe nodes stay float32")
    { Options = ["fp16_block_list", "fp16_io"], FallbackOrder = 1 };

    /// <summary>In the order help texts list them.</summary>
    public static ChoiceSet<QuantizationModeInfo> All { get; } = new(Int8Dynamic, Int8Static, Int4Weight, Int8Weight, Fp16);

    /// <summary>The modes the search falls back to when nothing passed, in order.</summary>
    public static IReadOnlyList<QuantizationModeInfo> Fallbacks { get; } = [.. All.Where(m => m.FallbackOrder is not null).OrderBy(m => m.FallbackOrder)];

    /// <summary>Of <paramref name="keys"/> (quantize settings), those only other modes read: set for <paramref name="mode"/>, they change nothing.</summary>
    public static IReadOnlyList<string> IgnoredBy(QuantizationModeInfo mode, IEnumerable<string> keys) =>
        [.. keys.Where(k => !mode.Options.Contains(k) && All.Any(m => m.Options.Contains(k)))];

    /// <summary>The modes that read a mode-specific setting, for messages: "int4-weight or int8-weight".</summary>
    public static string Readers(string key) => string.Join(" or ", All.Where(m => m.Options.Contains(key)).Select(m => m.Name));

    public static QuantizationModeInfo Of(QuantizationMode mode) => All.First(m => m.Mode == mode);

    public static string NameOf(QuantizationMode mode) => Of(mode).Name;
}
