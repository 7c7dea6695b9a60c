using System.Globalization;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Pipeline.Search;
using CompressBuild.Engine.Verification;

namespace CompressBuild.Engine.Pipeline;

/// <summary>
/// The one line a build prints per model, e.g.
/// <c>Models/classifier.onnx: int8-static, 3.9x smaller, 1.7x faster, top-1 -0.3 points (budget 1.0)</c>,
/// (for a recognizer verified with the ctc metric, <c>character accuracy -1.2 points</c>),
/// with ", cached" when every trial came from the cache (", from the remote cache" when some came from the shared
/// remote one), and the budgets missed when it failed.
/// </summary>
public static class ModelSummaryText
{
    /// <param name="missesAreWarnings">The run reported misses as warnings (and wrote the model anyway).</param>
    public static string For(ModelRunResult model, string configPath, bool missesAreWarnings = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        var requested = model.Trials.Count > 0 ? model.Trials[0].Plan : model.Shown.Plan;
        var parts = new List<string>
        {
            ModeChange.Describe(requested, model.Trials, model.Shown) is { } changed
                ? Passes(model.Shown.Plan) + changed[changed.IndexOf(" (requested", StringComparison.Ordinal)..]
                : Passes(model.Shown.Plan),
        };
        if (model.Verification is { } v)
        {
            parts.Add(v.SizeRatio >= 1 ? $"{Short(v.SizeRatio)} smaller" : $"{Short(1 / v.SizeRatio)} larger");
            if (v.Latency?.Speedup.Ratio is { } speedup)
            {
                parts.Add(speedup >= 1 ? $"{Short(speedup)} faster" : $"{Short(1 / speedup)} slower");
            }

            var budget = v.Checks.FirstOrDefault(c => c.Name == "max-accuracy-drop");
            var budgetText = budget is null ? "" : string.Create(CultureInfo.InvariantCulture, $" (budget {budget.Budget * 100:0.0})");
            if (v.Metrics.Text is { } text)
            {
                // A recognizer verified by its decoded text: the accuracy the ctc metric measured, not the absent top-1.
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"character accuracy {-text.Drop * 100:+0.0;-0.0;0.0} points") + budgetText);
            }
            else if (v.Metrics.Labelled?.Accuracy is { } accuracy)
            {
                var delta = (accuracy.CandidateTop1 - accuracy.ReferenceTop1) * 100;
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"top-1 {delta:+0.0;-0.0;0.0} points") + budgetText);
            }
            else if (BaselineComparer.Primary(v.Metrics)?.Top1Agreement is { } agreement)
            {
                parts.Add($"agreement {BudgetFormat.Percent(agreement)}");
            }
        }

        var verifiedTrials = model.Trials.Count(t => t.Outcome.SkippedBecause is null);
        if (verifiedTrials > 0 && model.CacheHits >= verifiedTrials)
        {
            parts.Add(model.RemoteHits > 0 ? "from the remote cache" : "cached");
        }

        if (!model.Passed)
        {
            var misses = (model.Verification?.Misses ?? []).Select(m => m.Name).Distinct(StringComparer.Ordinal).ToList();
            var missed = misses.Count == 0 ? "a budget" : string.Join(", ", misses);
            parts.Add(missesAreWarnings && !model.Broken ? $"missed {missed} (warnings only)" : $"FAILED: missed {missed}");
        }

        return $"{DisplayName(model.Model, configPath)}: {string.Join(", ", parts)}";
    }

    /// <summary>
    /// The accuracy cell of <c>run</c>'s table: "98.20% -> 97.80%" (top-1), "81.84% -> 77.49% chars" for a recognizer verified
    /// with the ctc metric (it has no top-1), "-" when the run measured no accuracy.
    /// </summary>
    public static string AccuracyCell(VerificationResult? verification) => verification?.Metrics switch
    {
        { Text: { } text } => $"{BudgetFormat.Percent(text.ReferenceAccuracy)} -> {BudgetFormat.Percent(text.CandidateAccuracy)} chars",
        { Labelled.Accuracy: { } accuracy } => $"{BudgetFormat.Percent(accuracy.ReferenceTop1)} -> {BudgetFormat.Percent(accuracy.CandidateTop1)}",
        _ => "-",
    };

    /// <summary>The model relative to the config's folder when it lies below it, else its file name (a generated config lives in obj/).</summary>
    public static string DisplayName(string modelPath, string configPath)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(configPath))!;
        var relative = Path.GetRelativePath(folder, Path.GetFullPath(modelPath));
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? Path.GetFileName(modelPath) : relative.Replace('\\', '/');
    }

    /// <summary>"int8-static", "channel 25% pruned + int8-static, 2 layers float".</summary>
    private static string Passes(CandidatePlan plan) => plan.Passes.Count == 0 ? "unchanged" : string.Join(" + ", plan.Passes.Select(p => p.Pass.Summary(p)));

    private static string Short(double ratio) => string.Create(CultureInfo.InvariantCulture, $"{ratio:0.0}x");
}
