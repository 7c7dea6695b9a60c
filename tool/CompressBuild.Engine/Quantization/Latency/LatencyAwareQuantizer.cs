using System.Globalization;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization.Latency;

/// <summary>
/// int8-static that is not slower than float where it can help it: profiles the float and the quantized model on
/// this machine (ONNX Runtime's per-kernel times, 1 thread, one calibration input), finds the quantized nodes whose
/// integer kernel runs slower than the float kernel it replaced (on x86 typically depthwise Convs whose channel
/// count is not a multiple of 16, which miss MLAS's symmetric depthwise kernel, the first Conv on 3 channels,
/// MaxPool on u8 and broadcasting Muls), re-quantizes with them float, and keeps the new model only when its
/// profile is faster and its outputs as close to the float model's (<see cref="LatencyRound.CosineTolerance"/>). Rounds go from the clearly slower nodes to the marginal ones
/// (<see cref="SlowNodeFinder.RoundFactors"/>) and stop at the first round that does not pay off. Calibration
/// histograms are reused, so a round costs a quantization without calibration and one profile.
/// </summary>
internal static class LatencyAwareQuantizer
{
    public static QuantizationResult Apply(OnnxModel original, QuantizationResult first, QuantizationOptions options, Dataset calibration, IDictionary<string, ActivationHistogram> histograms)
    {
        if (first.Mode != QuantizationMode.Int8Static || !options.LatencyAware || first.QuantizedCount == 0 || calibration.Count == 0)
        {
            return first;
        }

        var sample = calibration.Sample(0);
        var floatTimings = ModelProfiler.Profile(original, sample, options.Session);
        var current = first;
        var currentTimings = ModelProfiler.Profile(current.Model, sample, options.Session);
        var check = calibration.Take(FidelitySamples);
        using var reference = ModelSessions.Open(original, options.Session);
        var currentCosine = Cosine(reference, current.Model, check, options.Session);
        var excluded = options.ExcludeNodes.ToList();
        var kept = new List<SlowNode>();
        var rounds = new List<LatencyRound>();
        foreach (var factor in SlowNodeFinder.RoundFactors)
        {
            var graph = current.Model.Graph;
            var slow = SlowNodeFinder.Find(current.Nodes, ProfileAttribution.Attribute(graph, currentTimings), ProfileAttribution.Attribute(graph, floatTimings), factor)
                .Where(s => !excluded.Contains(s.Node, StringComparer.Ordinal)).ToList();
            if (slow.Count == 0)
            {
                continue;
            }

            var candidate = ModelQuantizer.Quantize(original, options with { ExcludeNodes = [.. excluded, .. slow.Select(s => s.Node)] }, calibration, histograms);
            var candidateTimings = ModelProfiler.Profile(candidate.Model, sample, options.Session);
            var candidateCosine = Cosine(reference, candidate.Model, check, options.Session);
            var round = new LatencyRound(factor, slow, ProfileTotal.Microseconds(currentTimings), ProfileTotal.Microseconds(candidateTimings), currentCosine, candidateCosine);
            rounds.Add(round);
            if (!round.Kept)
            {
                break;
            }

            excluded.AddRange(slow.Select(s => s.Node));
            kept.AddRange(slow);
            (current, currentTimings, currentCosine) = (candidate, candidateTimings, candidateCosine);
        }

        return rounds.Count == 0 ? first : WithAccount(current, kept, rounds, ProfileTotal.Microseconds(floatTimings));
    }

    /// <summary>Calibration inputs the fidelity of each round is checked on.</summary>
    public const int FidelitySamples = 8;

    /// <summary>The mean cosine of the first output against the float model.</summary>
    private static double Cosine(InferenceSession reference, OnnxModel model, Dataset data, SessionSettings settings)
    {
        using var candidate = ModelSessions.Open(model, settings);
        return ModelComparison.Run(reference, candidate, data).Outputs[0].Cosine;
    }

    /// <summary>Each node kept float for speed says so in its decision, and one CB4017 advisory sums the rounds up.</summary>
    private static QuantizationResult WithAccount(QuantizationResult result, List<SlowNode> kept, List<LatencyRound> rounds, double floatMicroseconds)
    {
        var byNode = kept.ToDictionary(k => k.Node, StringComparer.Ordinal);
        var nodes = result.Nodes.Select(d => byNode.TryGetValue(d.Node, out var s)
            ? d with { Detail = string.Create(CultureInfo.InvariantCulture, $"kept float for speed: its int8 kernel took " +
                $"{s.QuantizedMicroseconds:0} us against {s.FloatMicroseconds:0} us in float on this machine") }
            : d).ToList();
        var before = rounds[0].BeforeMicroseconds;
        var after = rounds.Where(r => r.Kept).Select(r => r.AfterMicroseconds).DefaultIfEmpty(before).Last();
        var message = kept.Count == 0
            ? string.Create(CultureInfo.InvariantCulture,
                $"latency-aware: {rounds[0].Slow.Count} node(s) ran slower quantized ({Names(rounds[0].Slow)}), but keeping them float did not pay " +
                    $"off ({before:0} us -> {rounds[0].AfterMicroseconds:0} us of kernel time, cosine {rounds[0].CosineBefore:0.0000} -> " +
                    $"{rounds[0].CosineAfter:0.0000}), so they stay int8.")
            : string.Create(CultureInfo.InvariantCulture,
                $"latency-aware: kept {kept.Count} node(s) float for speed ({Names(kept)}): their int8 kernels ran slower than float on this " +
                    $"machine; kernel time {before:0} us -> {after:0} us ({before / after:0.00}x; the float model {floatMicroseconds:0} us; medians " +
                    $"of ONNX Runtime's profile, 1 thread). Without latency_aware (the default) they are quantized anyway (smaller, slower).");
        return result with
        {
            Nodes = nodes,
            Advisories = [.. result.Advisories, new QuantizationAdvisory(Diagnostics.DiagnosticCodes.KeptFloatForSpeed.Id, message)],
            LatencyRounds = rounds,
        };
    }

    private static string Names(IReadOnlyList<SlowNode> nodes) =>
        string.Join(", ", nodes.Take(6).Select(n => string.Create(CultureInfo.InvariantCulture, $"{n.OpType} '{n.Node}' {n.QuantizedMicroseconds:0}/{n.FloatMicroseconds:0} us")))
        + (nodes.Count > 6 ? $" and {nodes.Count - 6} more" : "");
}
