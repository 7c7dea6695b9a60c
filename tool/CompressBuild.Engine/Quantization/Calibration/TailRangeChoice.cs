using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;

namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>
/// int8-static with <c>rounding: auto</c> and percentile ranges (the defaults): whether each long-tailed activation keeps its
/// percentile range or takes the whole observed one (minmax), chosen on held-out calibration samples, as
/// <see cref="Weights.HeldOutChoice"/> chooses the rounding. Percentile 99.999 drops the rarest values as outliers, but where a
/// tail is long (PP-OCRv4's detector: a Conv output into a HardSwish observed up to 221, clipped at 206) those values can be the
/// signal (HardSwish is linear above 3, so the strongest responses pass on unchanged), and clipping them costs the output more than
/// the coarser step of the wider range. Which one the output prefers differs per activation, and the quantized model's cosine on
/// the data it was calibrated on ranks such choices wrongly (README, SmoothQuant), so each is scored on samples it was not
/// calibrated on. A cheap statistic picks the candidates: the observed range at least <see cref="TailRatio"/> times the
/// percentile range, at most <see cref="MaxCandidates"/> of them, longest tails first. Deterministic: the choice depends on the model, the options and the data only.
/// </summary>
internal static class TailRangeChoice
{
    /// <summary>Observed range over percentile range from which an activation counts as long-tailed.</summary>
    public const double TailRatio = 1.15;

    /// <summary>The most candidates tried (one held-out run each), the longest tails first.</summary>
    public const int MaxCandidates = 12;

    /// <summary>The range method a long-tailed activation may take instead of the percentile.</summary>
    public const CalibrationMethod Alternative = CalibrationMethod.MinMax;

    /// <summary>
    /// Options whose <see cref="QuantizationOptions.ActivationCalibration"/> moves the long-tailed activations that gain on
    /// held-out samples to the observed range, with what was measured; other options come back unchanged (null choice).
    /// </summary>
    /// <param name="options">Options whose rounding <see cref="Weights.HeldOutChoice"/> has already made concrete.</param>
    /// <param name="auto">Whether the user left the rounding to <c>auto</c>: the held-out choices go together.</param>
    /// <remarks>Chosen once per model, options and data in a process (<see cref="Weights.RoundingChoiceCache"/>): the search's later steps reuse it.</remarks>
    public static (QuantizationOptions Options, TailRangeReport? Report) Resolve(OnnxModel model, QuantizationOptions options, Dataset? calibration, bool auto)
    {
        if (!auto || options.Mode != QuantizationMode.Int8Static || options.Calibration != CalibrationMethod.Percentile || options.ActivationCalibration.Count > 0
            || options.ScaleConstraint != ScaleConstraint.None || calibration is null || calibration.Count < Weights.HeldOutChoice.MinSamples)
        {
            return (options, null);
        }

        var (chosen, report, reused) = Weights.RoundingChoiceCache.TailRanges.GetOrChoose(model, options, calibration, () => Choose(model, options, calibration));
        // Only the ranges are the choice's: the caller's options may differ in what the choice does not read (nothing today).
        return reused ? (options with { ActivationCalibration = chosen.ActivationCalibration }, report with { Reused = true }) : (chosen, report);
    }

    /// <summary>Measures the choice (two trial quantizations on the fit half, one held-out run per candidate); Resolve caches it.</summary>
    private static (QuantizationOptions Options, TailRangeReport Report) Choose(OnnxModel model, QuantizationOptions options, Dataset calibration)
    {
        var (fit, check) = Weights.HeldOutChoice.Halves(calibration);
        // Round-to-nearest trials: the weights' rounding hardly moves which activation range the output prefers, and costs a fraction of GPTQ's.
        var trial = options with { Rounding = Weights.WeightRounding.Nearest, CompactGraph = false };
        var histograms = new Dictionary<string, ActivationHistogram>(StringComparer.Ordinal);
        var start = ModelQuantizer.Quantize(model, trial, fit, histograms).Model;
        var alternative = ModelQuantizer.Quantize(model, trial with { Calibration = Alternative }, fit, histograms).Model;
        var switches = RangeSwitches.Build(start, alternative);
        var percentile = RangeCalibrator.Create(CalibrationMethod.Percentile, options.Percentile);
        var other = RangeCalibrator.Create(Alternative, options.Percentile);
        var candidates = new List<(int Switch, string Tensor, QuantRange Percentile, QuantRange Other)>();
        for (var i = 0; i < switches.Tensors.Count; i++)
        {
            if (histograms.TryGetValue(switches.Tensors[i], out var histogram))
            {
                var (clipped, whole) = (percentile.Range(histogram), other.Range(histogram));
                if (clipped.High - clipped.Low > 0 && whole.High - whole.Low >= TailRatio * (clipped.High - clipped.Low))
                {
                    candidates.Add((i, switches.Tensors[i], clipped, whole));
                }
            }
        }

        candidates = [.. candidates.OrderByDescending(c => (c.Other.High - c.Other.Low) / (c.Percentile.High - c.Percentile.Low)).ThenBy(c => c.Switch).Take(MaxCandidates)];
        if (candidates.Count == 0)
        {
            return (options, new TailRangeReport([], 0, 0, fit.Count, check.Count));
        }

        using var score = new SwitchedModelCosine(model, switches.Model, switches.Mask, check, options.Session);
        var chosen = new List<int>();
        var rows = new List<TailRangeCandidate>();
        var before = score.Of([]);
        var best = before;
        foreach (var (i, tensor, clipped, whole) in candidates)
        {
            var cosine = score.Of([.. chosen, i]);
            // Rounded as reports print them, so a gain too small to show never moves a range.
            var taken = Math.Round(cosine, 4) > Math.Round(best, 4);
            rows.Add(new TailRangeCandidate(tensor, clipped, whole, cosine - best, taken));
            if (taken)
            {
                chosen.Add(i);
                best = cosine;
            }
        }

        var methods = new Dictionary<string, CalibrationMethod>(StringComparer.Ordinal);
        foreach (var row in rows.Where(r => r.Taken))
        {
            methods[row.Tensor] = Alternative;
        }

        return (options with { ActivationCalibration = methods }, new TailRangeReport(rows, before, best, fit.Count, check.Count));
    }
}
