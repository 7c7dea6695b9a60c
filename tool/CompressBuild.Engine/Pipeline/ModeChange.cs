using CompressBuild.Engine.Pipeline.Passes;
using CompressBuild.Engine.Pipeline.Search;

namespace CompressBuild.Engine.Pipeline;

/// <summary>
/// Says when the candidate a search settled on quantizes in another mode than the one requested, and why the
/// requested one was left, e.g. "fp16 (requested int8-dynamic: quantized 0 of 62 nodes)". Builds print it in
/// the summary line and as warning CB4058, so a fallback is never silent.
/// </summary>
public static class ModeChange
{
    /// <returns>The description, or null when the modes agree (or nothing quantizes).</returns>
    public static string? Describe(CandidatePlan requested, IReadOnlyList<Trial> trials, Trial shown)
    {
        ArgumentNullException.ThrowIfNull(requested);
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentNullException.ThrowIfNull(shown);
        var wanted = Mode(requested);
        var got = Mode(shown.Plan);
        if (wanted is null || got is null || wanted == got)
        {
            return null;
        }

        var first = trials.FirstOrDefault(t => t.Plan.Describe() == requested.Describe());
        var why = (first?.Outcome.Details as TrialRecord)?.PassSummaries.FirstOrDefault(s => s.StartsWith(PassRegistry.Quantize.Name + " ", StringComparison.Ordinal)) is { } summary
            && summary.IndexOf(": ", StringComparison.Ordinal) is var colon and >= 0
            ? Reword(summary[(colon + 2)..])
            : first?.Outcome.Misses.Count > 0 ? $"missed {first.Outcome.Misses.Count} budget(s)" : "did not meet every budget";
        return $"{got} (requested {wanted}: {why})";
    }

    private static string? Mode(CandidatePlan plan) =>
        plan.Passes.FirstOrDefault(p => p.Pass == PassRegistry.Quantize)?.Text("mode");

    /// <summary>"0 of 62 nodes quantized" reads as "quantized 0 of 62 nodes".</summary>
    private static string Reword(string summary) =>
        summary.EndsWith(" nodes quantized", StringComparison.Ordinal) ? "quantized " + summary[..^" quantized".Length] : summary;
}
