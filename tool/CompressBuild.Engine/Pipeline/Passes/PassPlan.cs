using System.Collections.Immutable;
using System.Globalization;

namespace CompressBuild.Engine.Pipeline.Passes;

/// <summary>
/// One pass of a candidate: the pass (from <see cref="PassRegistry"/>) and its settings by compress.yaml key
/// (nested keys dotted: calibration.data). Settings are sorted, so <see cref="Describe"/> (and the cache key built
/// from it) does not depend on the order they were written in.
/// </summary>
public sealed record PassPlan(IPass Pass, ImmutableSortedDictionary<string, object> Settings)
{
    /// <summary>A pass with no settings yet.</summary>
    public PassPlan(IPass pass)
        : this(pass, ImmutableSortedDictionary.Create<string, object>(StringComparer.Ordinal))
    {
    }

    public PassPlan With(string key, object value) => this with { Settings = Settings.SetItem(key, value) };

    public PassPlan Without(string key) => this with { Settings = Settings.Remove(key) };

    public object? Get(string key) => Settings.TryGetValue(key, out var value) ? value : null;

    public string Describe() => $"{Pass.Name}({string.Join(", ", Settings.Select(s => $"{s.Key}={Format(s.Value)}"))})";

    private static string Format(object value) => value switch
    {
        double d => d.ToString("0.####", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IEnumerable<string> list when value is not string => "[" + string.Join(",", list) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
