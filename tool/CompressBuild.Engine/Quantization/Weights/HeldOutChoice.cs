using CompressBuild.Engine.Evaluation;
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
    /// The even-numbered calibration samples a candidate is quantized on and the odd-numbered ones it is scored on, at most
    /// <see cref="MaxHalf"/> each: the one split every held-out choice uses (this one, Calibration.TailRangeChoice).
    /// </summary>
    public static (Dataset Fit, Dataset Check) Halves(Dataset calibration) => (calibration.Every(2, 0).Take(MaxHalf), calibration.Every(2, 1).Take(MaxHalf));

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

        return RoundingChoiceCache.GetOrChoose(model, options, calibration, () => Choose(model, options, calibration));
    }

    /// <summary>
    /// Quantizes and scores every candidate. They share what does not depend on their setting (<see cref="CandidateSharing"/>:
    /// the prepared model, SmoothQuant's maxima, the histograms per smoothing; <see cref="HeldOutReference"/>: the float
    /// model's outputs on the check half), which leaves each candidate's model and score exactly what it was computed alone.
    /// </summary>
    internal static (QuantizationOptions Options, RoundingChoice Choice) Choose(OnnxModel model, QuantizationOptions options, Dataset calibration)
    {
        var (fit, check) = Halves(calibration);
        var smoothings = options.Smooth is { } given ? [given] : new double?[] { null, SmoothCandidate };
        var candidates = smoothings.SelectMany(s => new[] { WeightRounding.Nearest, WeightRounding.Gptq }.Select(r => (Rounding: r, Smooth: s))).ToList();
        HeldOutReference reference;
        using (var session = ModelSessions.Open(model, options.Session))
        {
            reference = new HeldOutReference(session, check);
        }

        var sharing = new CandidateSharing();
        var scores = new List<RoundingCandidate>();
        var idle = new HashSet<double>();
        foreach (var (rounding, smooth) in candidates)
        {
            Diagnostics.Deadline.ThrowIfExpired();
            // A smoothing that found nothing to rescale (CB4038) quantizes the unsmoothed model: same model, same score as the
            // unsmoothed candidate of the same rounding, which comes first and so wins the tie. Its score is that one's, not recomputed.
            if (smooth is { } alpha && idle.Contains(alpha) && scores.Find(s => s.Rounding == rounding && s.Smooth is null) is { } unsmoothed)
            {
                scores.Add(unsmoothed with { Smooth = smooth });
                continue;
            }

            var result = ModelQuantizer.Quantize(model, options with { Rounding = rounding, Smooth = smooth }, fit, sharing.Histograms(smooth), sharing);
            if (smooth is { } tried && result.Advisories.Any(a => a.Code == Diagnostics.DiagnosticCodes.SmoothingFoundNothing.Id))
            {
                idle.Add(tried);
            }

            using var candidate = ModelSessions.Open(result.Model, options.Session);
            scores.Add(new RoundingCandidate(rounding, smooth, reference.Score(candidate)));
        }

        // Candidates are in order of preference, so the first of equal scores (rounded as reports print them) is the simpler one.
        var best = scores.MaxBy(s => Math.Round(s.Cosine, 4))!;
        return (options with { Rounding = best.Rounding, Smooth = best.Smooth }, new RoundingChoice(best, scores, fit.Count, check.Count));
    }
}
