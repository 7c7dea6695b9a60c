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

        // Once here, not in each of the many quantizations below.
        options = RangeSearch.Resolve(model, options, calibration, histograms);
        var full = ModelQuantizer.Quantize(model, options, calibration, histograms);
        var candidates = full.Nodes.Where(n => n.Quantized && LayerOps.Contains(n.OpType)).ToList();
        if (candidates.Count == 0)
        {
            return new MixedPrecisionResult(full, [], 1, true);
        }

        using var reference = ModelSessions.Open(model, options.Session);
        IReadOnlyList<MixedPrecisionActivation> activations = [];
        Evaluation.SpeedupEstimate? activationSpeedup = null;
        var signal = ActivationChoice.CosineSignal;
        if (options.MixedUnits == MixedPrecisionUnit.Activations && options.Mode == QuantizationMode.Int8Static)
        {
            // Activation pairs first: every weight stays int8, so the size hardly moves; whole layers only if that is not enough.
            var choice = ActivationSelection.Run(model, options, calibration, histograms, targetCosine, keepFloatTop);
            (activations, activationSpeedup, signal) = (choice.Pairs, choice.Speedup, choice.Signal);
            options = options with { FloatActivations = [.. options.FloatActivations, .. choice.Chosen] };
            full = choice.Chosen.Count == 0 ? full : WithActivationAdvisories(ModelQuantizer.Quantize(model, options, calibration, histograms), choice, keepFloatTop);
            var reached = OutputCosine(reference, full, calibration, options);
            if (keepFloatTop is not null || reached >= targetCosine)
            {
                return new MixedPrecisionResult(full, [], reached, true) { Activations = activations, ActivationSpeedup = activationSpeedup, ActivationSignal = signal };
            }

            candidates = full.Nodes.Where(n => n.Quantized && LayerOps.Contains(n.OpType)).ToList();
        }

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

        // The layer trials are fresh quantizations: the activation advisories (CB4036/CB4037) of the first stage carry over.
        var carried = full.Advisories.Where(a => (a.Code == DiagnosticCodes.ActivationsKeptFloat.Id || a.Code == DiagnosticCodes.ActivationsCutForSpeed.Id) && !chosen.Advisories.Contains(a)).ToList();
        chosen = carried.Count == 0 ? chosen : chosen with { Advisories = [.. chosen.Advisories, .. carried] };
        var layers = ranked.Select((r, k) => new MixedPrecisionLayer(r.Layer.Node, r.Layer.OpType, r.Cosine, k < keep) { Hessian = r.Hessian }).ToList();
        var kept = layers.Where(l => l.KeptFloat).Select(l => l.Node).ToHashSet(StringComparer.Ordinal);
        chosen = chosen with
        {
            Nodes = chosen.Nodes.Select(n => !n.Quantized && kept.Contains(n.Node) ? n with { Detail = "kept float by mixed precision (among the most sensitive layers)" } : n).ToList(),
        };
        return new MixedPrecisionResult(chosen, layers, cosine, met)
        {
            Ranking = new SensitivityRanking(options.Sensitivity, trialCount, capture, rankingTime), Activations = activations, ActivationSpeedup = activationSpeedup, ActivationSignal = signal,
        };
    }

    /// <summary>CB4036 names the activations left float and what they gained; CB4037 says when the speed floor cut the set short.</summary>
    private static QuantizationResult WithActivationAdvisories(QuantizationResult result, ActivationChoice choice, int? keepFloatTop)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var gains = choice.Pairs.Where(p => p.KeptFloat).ToList();
        var advisories = new List<QuantizationAdvisory>(result.Advisories)
        {
            new(DiagnosticCodes.ActivationsKeptFloat.Id, string.Create(inv,
                $"{choice.Chosen.Count} of {choice.Pairs.Count} activation Q/DQ pairs left float (weights stay int8), most harmful first: ") +
                string.Join(", ", gains.Take(5).Select(p => string.Create(inv, $"{p.Tensor} ({p.Producer} -> {p.Readers}, {choice.Signal} +{p.Gain:0.0000} alone)"))) +
                (gains.Count > 5 ? string.Create(inv, $" and {gains.Count - 5} more") : "") +
                (choice.Speedup is { } s ? string.Create(inv, $"; {s.Ratio:0.00}x fp32's speed [{s.Low:0.00}, {s.High:0.00}], 1 thread") : "") + "."),
        };
        var wanted = keepFloatTop ?? int.MaxValue;
        if (choice.CutForSpeed)
        {
            advisories.Add(new(DiagnosticCodes.ActivationsCutForSpeed.Id, string.Create(inv,
                $"the activations left float were cut to {choice.Chosen.Count} so the model stays at least as fast as fp32 on this machine; the fidelity goal " +
                $"{(wanted == int.MaxValue ? "(target_cosine)" : "(keep_float_top)")} may be missed: raise the speed budget's tolerance, or leave whole layers float.")));
        }

        return result with { Advisories = advisories };
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
