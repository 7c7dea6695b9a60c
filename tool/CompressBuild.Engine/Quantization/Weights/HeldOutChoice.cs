using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>
/// int8-static <c>rounding: auto</c> (the default): the weight rounding, and the SmoothQuant strength when the user set none,
/// chosen by measurement on data the candidates were not calibrated on. Each candidate is quantized on the even-numbered
/// calibration samples and scored on the odd-numbered ones (output cosine against the float model, worst output); the best
/// wins, ties going to the simpler setting (nearest before gptq, no smoothing before smoothing). GPTQ scores higher on the
/// data it was fitted to even where it lowers unseen inputs (PP-OCRv4 classifier: calibration cosine up, held-out 0.9998
/// -> 0.9929), so the check has to be on samples the candidate never saw. Deterministic: the choice depends on the model,
/// the options and the data only.
/// </summary>
internal static class HeldOutChoice
{
    /// <summary>Fewer calibration samples than this give halves too small to tell settings apart: nearest, as without data.</summary>
    public const int MinSamples = 4;

    /// <summary>Samples per half: enough to rank the settings, few enough that the choice costs about one quantization per candidate.</summary>
    public const int MaxHalf = 8;

    /// <summary>The SmoothQuant strength tried beside none (README, "SmoothQuant where the rescaling is exact").</summary>
    public const double SmoothCandidate = 0.7;

    /// <summary>
    /// Options with <see cref="QuantizationOptions.Rounding"/> (and, if unset, <see cref="QuantizationOptions.Smooth"/>) made
    /// concrete, and what was measured; options that are not int8-static <c>rounding: auto</c> come back unchanged (null choice).
    /// </summary>
    public static (QuantizationOptions Options, RoundingChoice? Choice) Resolve(OnnxModel model, QuantizationOptions options, Dataset? calibration)
    {
        if (options.Mode != QuantizationMode.Int8Static || options.Rounding != WeightRounding.Auto)
        {
            return (options, null);
        }

        if (calibration is null || calibration.Count < MinSamples)
        {
            return (options with { Rounding = WeightRounding.Nearest }, null);
        }

        var fit = calibration.Every(2, 0).Take(MaxHalf);
        var check = calibration.Every(2, 1).Take(MaxHalf);
        var smoothings = options.Smooth is { } given ? [given] : new double?[] { null, SmoothCandidate };
        var candidates = smoothings.SelectMany(s => new[] { WeightRounding.Nearest, WeightRounding.Gptq }.Select(r => (Rounding: r, Smooth: s))).ToList();
        using var reference = ModelSessions.Open(model, options.Session);
        var scores = new List<RoundingCandidate>();
        foreach (var (rounding, smooth) in candidates)
        {
            Diagnostics.Deadline.ThrowIfExpired();
            var trial = ModelQuantizer.Quantize(model, options with { Rounding = rounding, Smooth = smooth }, fit).Model;
            using var candidate = ModelSessions.Open(trial, options.Session);
            var outputs = ModelComparison.Run(reference, candidate, check).Outputs;
            scores.Add(new RoundingCandidate(rounding, smooth, outputs.Count == 0 ? 1 : outputs.Min(o => o.Cosine)));
        }

        // Candidates are in order of preference, so the first of equal scores (rounded as reports print them) is the simpler one.
        var best = scores.MaxBy(s => Math.Round(s.Cosine, 4))!;
        return (options with { Rounding = best.Rounding, Smooth = best.Smooth }, new RoundingChoice(best, scores, fit.Count, check.Count));
    }
}
