using System.Collections.Immutable;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Engine.Pipeline.Passes;

namespace CompressBuild.Engine.Pipeline.Search;

/// <summary>Turns a model's configured passes into the plan the search starts from; nested sections flatten to dotted keys (calibration.data).</summary>
public static class PlanFactory
{
    public static CandidatePlan FromConfig(IReadOnlyList<ConfiguredPass> passes) =>
        new(passes.Select(p => FromSettings(p.Pass, p.Settings)).ToList(), "requested");

    /// <summary>One pass from its validated settings (compress.yaml's, or the CLI's options checked by the same schema).</summary>
    public static PassPlan FromSettings(IPass pass, ConfigValues settings) =>
        new(pass, Flatten(settings, "", ImmutableSortedDictionary.Create<string, object>(StringComparer.Ordinal)));

    private static ImmutableSortedDictionary<string, object> Flatten(ConfigValues values, string prefix, ImmutableSortedDictionary<string, object> into)
    {
        foreach (var (key, value) in values.Entries)
        {
            into = value switch
            {
                ConfigValues nested => Flatten(nested, prefix + key + ".", into),
                IReadOnlyList<string> list => into.Add(prefix + key, list.ToImmutableArray()),
                _ => into.Add(prefix + key, value),
            };
        }

        return into;
    }
}
