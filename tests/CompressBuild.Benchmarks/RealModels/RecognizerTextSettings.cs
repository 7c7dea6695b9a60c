using System.Globalization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Quantization.Mixed;
using CompressBuild.Engine.Quantization.Weights;

namespace CompressBuild.Benchmarks.RealModels;

/// <summary>
/// The rec-text benchmark's held-out and calibration seeds and int8-static settings (mixed precision, calibration, rounding); by default
/// the recognizer's best measured setting, mse-median ranges with GPTQ rounding (README, "Robustness to the calibration set").
/// </summary>
internal sealed record RecognizerTextSettings(int Seed = 11, double? TargetCosine = null, int? KeepFloatTop = null, MixedPrecisionUnit Units = MixedPrecisionUnit.Layers,
    CalibrationMethod Calibration = CalibrationMethod.MseMedian, WeightRounding Rounding = WeightRounding.Gptq, int CalibrationSeed = 7)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"int8-static calibration {CalibrationMethods.NameOf(Calibration)}, rounding {WeightRoundings.NameOf(Rounding)}") +
        (TargetCosine is { } t ? string.Create(CultureInfo.InvariantCulture, $", target_cosine {t}") : "") +
        (KeepFloatTop is { } k ? string.Create(CultureInfo.InvariantCulture, $", keep_float_top {k}") : "") +
        (TargetCosine is null && KeepFloatTop is null ? "" : $", mixed_units {MixedPrecisionUnits.NameOf(Units)}");
}
