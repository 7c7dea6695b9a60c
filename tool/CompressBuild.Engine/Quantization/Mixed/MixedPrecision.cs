using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Reconstruction;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization.Mixed;

/// <summary>
/// Mixed precision by measured sensitivity: each weighted layer is quantized on its own and the model's outputs
/// compared with the float model's on the calibration data; then the most sensitive layers stay float, either
/// a fixed number of them (--keep-float-top K) or as few as needed for the whole model to reach a target
/// output cosine (--target-cosine). Calibration statistics are gathered once and reused by every trial. With
/// <c>sensitivity: hessian</c> the ranking comes from <see cref="HessianSensitivity"/> instead: no trial model per layer.
/// </summary>
public static class MixedPrecision
{
    private static readonly HashSet<string> LayerOps = new(StringComparer.Ordinal) { "Conv", "Gemm", "MatMul", "Gather" };

    public static MixedPrecisionResult Run(OnnxModel model, QuantizationOptions options, Dataset calibration, double? targetCosine, int? keepFloatTop)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(calibration);
        if (targetCosine is not null == keepFloatTop is not null)
        {
            throw new CompressBuildException(DiagnosticCodes.QuantizationOptionInvalid, "mixed precision takes exactly one of target_cosine and keep_float_top.", model.DisplayName);
        }

        if (targetCosine is { } t && t is <= 0 or > 1)
        {
            throw new CompressBuildException(DiagnosticCodes.QuantizationOptionInvalid,
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"target_cosine must be above 0 and at most 1, got {t}."), model.DisplayName);
        }

        if (keepFloatTop is { } k && k < 0)
        {
            throw new CompressBuildException(DiagnosticCodes.QuantizationOptionInvalid,
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"keep_float_top must be 0 or more, got {k}."), model.DisplayName);
        }

        var histograms = new Dictionary<string, ActivationHistogram>(StringComparer.Ordinal);
        var full = ModelQuantizer.Quantize(model, options, calibration, histograms);
        var candidates = full.Nodes.Where(n => n.Quantized && LayerOps.Contains(n.OpType)).ToList();
        if (candidates.Count == 0)
        {
            return new MixedPrecisionResult(full, [], 1, true);
        }

        using var reference = ModelSessions.Open(model, options.Session);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (ranked, trialCount, capture) = options.Sensitivity is SensitivityMethod.Hessian or SensitivityMethod.HessianNoise
            ? HessianRanking(model, full, candidates, calibration, options)
            : ProbeRanking(model, options, calibration, histograms, reference, candidates);
        var rankingTime = clock.Elapsed;
        var keep = keepFloatTop ?? 0;
        var chosen = keep == 0 ? full : Trial(model, options, calibration, histograms, ranked, keep);
        var cosine = OutputCosine(reference, chosen, calibration, options);
        var met = true;
        if (targetCosine is { } target)
        {
            while (cosine < target && keep < ranked.Count)
            {
                Diagnostics.Deadline.ThrowIfExpired();
                keep++;
                chosen = Trial(model, options, calibration, histograms, ranked, keep);
                cosine = keep == ranked.Count ? 1 : OutputCosine(reference, chosen, calibration, options);
            }

            met = cosine >= target;
        }

        if (!met)
        {
            chosen = chosen with { Advisories = [.. chosen.Advisories, new QuantizationAdvisory(DiagnosticCodes.TargetCosineNotMet.Id,
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"target_cosine {targetCosine} was not reached: with every layer " +
                $"float the output cosine is {cosine:F6}."))] };
        }

        var layers = ranked.Select((r, k) => new MixedPrecisionLayer(r.Layer.Node, r.Layer.OpType, r.Cosine, k < keep) { Hessian = r.Hessian }).ToList();
        var kept = layers.Where(l => l.KeptFloat).Select(l => l.Node).ToHashSet(StringComparer.Ordinal);
        chosen = chosen with
        {
            Nodes = chosen.Nodes.Select(n => !n.Quantized && kept.Contains(n.Node) ? n with { Detail = "kept float by mixed precision (among the most sensitive layers)" } : n).ToList(),
        };
        return new MixedPrecisionResult(chosen, layers, cosine, met) { Ranking = new SensitivityRanking(options.Sensitivity, trialCount, capture, rankingTime) };
    }

    /// <summary>Each candidate quantized alone, most sensitive (lowest output cosine) first; one trial model per layer.</summary>
    private static (List<Ranked> Ranked, int Trials, ReconstructionTiming? Capture) ProbeRanking(OnnxModel model, QuantizationOptions options, Dataset calibration,
        Dictionary<string, ActivationHistogram> histograms, InferenceSession reference, List<NodeDecision> candidates)
    {
        var trials = new List<Ranked>();
        for (var i = 0; i < candidates.Count; i++)
        {
            Diagnostics.Deadline.ThrowIfExpired();
            var others = candidates.Where(c => c != candidates[i]).Select(c => c.Node);
            var alone = ModelQuantizer.Quantize(model, options with { ExcludeNodes = [.. options.ExcludeNodes, .. others] }, calibration, histograms);
            trials.Add(new Ranked(candidates[i], OutputCosine(reference, alone, calibration, options), null, i));
        }

        // Most sensitive first; graph position breaks ties so the order never depends on anything else.
        return (trials.OrderBy(t => t.Cosine).ThenBy(t => t.Position).ToList(), candidates.Count, null);
    }

    /// <summary>
    /// HAWQ-V3 scores from one Gram capture on the model as the quantizer prepared it, highest first; layers it cannot
    /// score (no linear float weight, e.g. Gather tables) rank last, so they are the last to be kept float.
    /// </summary>
    private static (List<Ranked> Ranked, int Trials, ReconstructionTiming? Capture) HessianRanking(OnnxModel model, QuantizationResult full, List<NodeDecision> candidates,
        Dataset calibration, QuantizationOptions options)
    {
        var prepared = full.Preprocessing?.Model ?? model;
        var (scores, capture) = HessianSensitivity.Score(prepared, candidates.Select(c => c.Node).ToList(), calibration, options);
        var ranked = candidates.Select((c, i) => new Ranked(c, null, scores.TryGetValue(c.Node, out var s) ? s : null, i))
            .OrderByDescending(r => r.Hessian ?? double.NegativeInfinity).ThenBy(r => r.Position).ToList();
        return (ranked, 0, capture);
    }

    private static QuantizationResult Trial(OnnxModel model, QuantizationOptions options, Dataset calibration,
        Dictionary<string, ActivationHistogram> histograms, List<Ranked> ranked, int keep) =>
        ModelQuantizer.Quantize(model, options with { ExcludeNodes = [.. options.ExcludeNodes, .. ranked.Take(keep).Select(r => r.Layer.Node)] }, calibration, histograms);

    private static double OutputCosine(InferenceSession reference, QuantizationResult candidate, Dataset calibration, QuantizationOptions options)
    {
        using var session = ModelSessions.Open(candidate.Model, options.Session);
        var comparison = ModelComparison.Run(reference, session, calibration);
        return comparison.Outputs.Count == 0 ? 1 : comparison.Outputs.Min(o => o.Cosine);
    }

    private sealed record Ranked(NodeDecision Layer, double? Cosine, double? Hessian, int Position);
}
