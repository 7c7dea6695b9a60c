using System.Text.Json.Nodes;
using CompressBuild.Engine.Pipeline.Search;

namespace CompressBuild.Engine.Pipeline;

/// <summary>
/// The one JSON form of a search's trials: the <c>&lt;model&gt;.trials.json</c> report and <c>run --json</c>'s
/// <c>trials</c> both come from here, so the two cannot drift apart.
/// </summary>
public static class TrialJson
{
    public static JsonArray Build(IReadOnlyList<Trial> trials, Trial? chosen)
    {
        ArgumentNullException.ThrowIfNull(trials);
        return new JsonArray([.. trials.Select(t => (JsonNode)new JsonObject
        {
            ["trial"] = t.Number,
            ["origin"] = t.Plan.Origin,
            ["passes"] = t.Plan.Describe(),
            ["passed"] = t.Outcome.Passed,
            ["skipped"] = t.Outcome.SkippedBecause,
            ["misses"] = new JsonArray([.. t.Outcome.Misses.Select(m => (JsonNode)m)]),
            ["sizeBytes"] = t.Outcome.SizeBytes,
            ["steps"] = (t.Outcome.Details as TrialRecord)?.PassSummaries is { } steps ? new JsonArray([.. steps.Select(s => (JsonNode)s)]) : null,
            ["chosen"] = ReferenceEquals(t, chosen),
        })]);
    }
}
