using System.Text.Json;
using System.Text.Json.Nodes;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Reporting;

namespace CompressBuild.Tool.Commands;

/// <summary>
/// What <c>prune --json</c> prints: the files, then <see cref="PruneResult"/> itself (layers, totals, groups,
/// advisories; its method by name), then the optional comparison. The engine's result is serialized as it is,
/// so a field added there reaches the JSON without a copy here.
/// </summary>
internal sealed record PruneCommandResult(string Model, string Output, PruneResult Pruned, ComparisonResult? Comparison)
{
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["model"] = Model, ["output"] = Output };
        var pruned = JsonSerializer.SerializeToNode(Pruned, JsonFormat.Indented)!.AsObject();
        foreach (var (key, value) in pruned.ToList())
        {
            pruned.Remove(key);
            json[key] = value;
        }

        json["method"] = PruneMethods.Of(Pruned.Method).Name;
        json["comparison"] = Comparison is null ? null : JsonSerializer.SerializeToNode(Comparison, JsonFormat.Indented);
        return json;
    }
}
