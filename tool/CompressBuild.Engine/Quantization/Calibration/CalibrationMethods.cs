using CompressBuild.Engine.Choices;

namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>The registry of calibration methods (<c>calibration.method</c>, <c>--calibration-method</c>): names spelled once.</summary>
public static class CalibrationMethods
{
    public static ChoiceSet<Choice<CalibrationMethod>> All { get; } = new(
        new(CalibrationMethod.MinMax, "minmax", "the observed minimum and maximum"),
        new(CalibrationMethod.Percentile, "percentile", "clips the rarest |values|: keeps the given percentile (default)"),
        new(CalibrationMethod.Entropy, "entropy", "the range whose quantized histogram loses least information (KL divergence)"),
        new(CalibrationMethod.Mse, "mse", "the range with the least mean squared quantization error"),
        new(CalibrationMethod.Search, "search",
            "int8-static: per activation, the mse or the percentile range, whichever keeps the model's output closer to the float model's on the calibration data, tried in graph order"),
        new(CalibrationMethod.MseMedian, "mse-median",
            "int8-static: each activation's mse range on each quarter of the calibration samples, median over the quarters (a few samples that peak higher do not widen it)"));

    public static string NameOf(CalibrationMethod method) => All.Of(method).Name;
}
