using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>
/// int8-static <c>rounding: auto</c> (the default): the weight rounding, and the SmoothQuant strength when the user set none,
/// chosen by measurement on data the candidates were not calibrated on. Each candidate is quantized on the even-numbered
/// calibration samples and scored on the odd-numbered ones (output cosine against the float model, worst output); the best
/// wins, ties going to the simpler setting (nearest before gptq, no smoothing before smoothing). GPTQ scores higher on the
/// data it was fitted to even where it lowers unseen inputs (PP-OCRv4 classifier: calibration cosine up, held-out 0.9998
/// -> 0.9929), so the check has to be on samples the candidate never saw. Under the default percentile ranges the best setting
/// is then tried once more with mse-median ranges (<see cref="RangeCandidate"/>), which replace percentile only when they score
/// higher on both splits: quantized on the even samples and scored on the odd ones, then the other way round (PP-OCRv4 detector:
/// 0.9905 against 0.9888 on the first split, 0.9831 against 0.9904 on the swapped one, and 0.9784 / 0.9819 on unseen pages).
/// Deterministic: the choice depends on the model, the options and the data only.
/// </summary>
internal static class HeldOutChoice
{
    /// <summary>Fewer calibration samples than this give halves too small to tell settings apart: nearest, as without data.</summary>
    public const int MinSamples = 4;

    /// <summary>
    /// Samples per half: enough to rank the settings, few enough that the choice costs about one quantization per candidate. 16,
    /// not 8: mse-median's quarters of 2 samples in an 8-sample half are not the quarters of 8 it takes on 32 recognizer lines, and
    /// scored worse than percentile there (cosine 0.9546 against 0.9685) though it loses 1.5 points fewer on unseen lines; quantized
    /// on 16 lines (quarters of 4) mse-median + gptq scores 0.9585 against gptq's 0.9407 (0.9823 against 0.9639 on the swapped halves).
    /// </summary>
    public const int MaxHalf = 16;

    /// <summary>The SmoothQuant strength tried beside none (README, "SmoothQuant where the rescaling is exact").</summary>
    public const double SmoothCandidate = 0.7;

    /// <summary>
    /// The even-numbered calibration samples a candidate is quantized on and the odd-numbered ones it is scored on, at most
    /// <see cref="MaxHalf"/> each: the one split every held-out choice uses (this one, Calibration.TailRangeChoice).
    /// </summary>
    public static (Dataset Fit, Dataset Check) Halves(Dataset calibration) => (calibration.Every(2, 0).Take(MaxHalf), calibration.Every(2, 1).Take(MaxHalf));

    /// <summary>
    /// The range method tried beside the default percentile, with the best rounding and smoothing: which range rule keeps a model
    /// closer depends on the model (README, "Robustness to the calibration set": mse-median lifts the PP-OCRv4 recognizer, lowers
    /// the detector).
    /// </summary>
    public const CalibrationMethod RangeCandidate = CalibrationMethod.MseMedian;

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
        var half = new HeldOutTrials(model, options, fit, check);
        var scores = new List<RoundingCandidate>();
        var idle = new HashSet<double>();
        foreach (var (rounding, smooth) in candidates)
        {
            // A smoothing that found nothing to rescale (CB4038) quantizes the unsmoothed model: same model, same score as the
            // unsmoothed candidate of the same rounding, which comes first and so wins the tie. Its score is that one's, not recomputed.
            if (smooth is { } alpha && idle.Contains(alpha) && scores.Find(s => s.Rounding == rounding && s.Smooth is null) is { } unsmoothed)
            {
                scores.Add(unsmoothed with { Smooth = smooth });
                continue;
            }

            var (scored, foundNothing) = half.Score(rounding, smooth, null);
            scores.Add(scored);
            if (smooth is { } tried && foundNothing)
            {
                idle.Add(tried);
            }
        }

        // Candidates are in order of preference, so the first of equal scores (rounded as reports print them) is the simpler one.
        var best = scores.MaxBy(s => s.Score)!;
        if (options.Calibration == CalibrationMethod.Percentile && options.ActivationCalibration.Count == 0)
        {
            // The range candidate replaces the best only when it wins on both splits: on one split of the detector's pages it scored
            // 0.9905 against 0.9888 and then lost on the test pages; swapped, 0.9831 against 0.9904 (README, "mse-median as a
            // held-out candidate").
            var ranged = half.Score(best.Rounding, best.Smooth, RangeCandidate).Candidate;
            scores.Add(ranged);
            if (ranged.Score > best.Score)
            {
                var swapped = new HeldOutTrials(model, options, check, fit);
                // Confirmed with round-to-nearest weights, as the tail ranges are chosen: the ranges decide, and GPTQ's two trials cost most
                // of the choice (same choice and bytes on the PP-OCR detector and recognizer; their quantize CPU 52 -> 45 s and 88 -> 60 s).
                var (kept, other) = (swapped.Score(WeightRounding.Nearest, best.Smooth, null).Candidate, swapped.Score(WeightRounding.Nearest, best.Smooth, RangeCandidate).Candidate);
                scores.Add(kept with { Swapped = true });
                scores.Add(other with { Swapped = true });
                best = other.Score > kept.Score ? ranged : best;
            }
        }

        return (options with { Rounding = best.Rounding, Smooth = best.Smooth, Calibration = best.Calibration ?? options.Calibration },
            new RoundingChoice(best, scores, fit.Count, check.Count));
    }
}
