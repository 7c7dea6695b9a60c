namespace CompressBuild.Engine.Pipeline.Config;

/// <summary>
/// A validated mapping: every present key was checked against its <see cref="ConfigKey"/>, so the typed getters
/// cannot fail on type. Paths are already absolute (resolved against the compress.yaml's folder). The source node
/// stays reachable for errors that only later checks can find.
/// </summary>
public sealed class ConfigValues
{
    private readonly Dictionary<string, object> values;

    internal ConfigValues(ConfigSection section, ConfigNode source, Dictionary<string, object> values)
    {
        Schema = section;
        Source = source;
        this.values = values;
    }

    public ConfigSection Schema { get; }

    public ConfigNode Source { get; }

    public IEnumerable<string> Keys => values.Keys.Order(StringComparer.Ordinal);

    public bool Has(string key) => values.ContainsKey(key);

    /// <summary>Every value in ordinal key order: strings, doubles, longs, bools, TimeSpans, string lists, nested values.</summary>
    public IEnumerable<KeyValuePair<string, object>> Entries => values.OrderBy(v => v.Key, StringComparer.Ordinal);

    /// <summary>The node a key's value was read from (for error positions); the section's node when absent.</summary>
    public ConfigNode NodeOf(string key) => Source is ConfigMapping mapping && mapping[key] is { } node ? node : Source;

    public string? Text(string key) => Get<string>(key);

    public double? Number(string key) => values.TryGetValue(key, out var v) ? (double)v : null;

    /// <summary>Null when absent, or when a keyword (<see cref="ConfigKey.Keywords"/>) stands in its place: read that with <see cref="Text"/>.</summary>
    public long? WholeNumber(string key) => values.TryGetValue(key, out var v) && v is long l ? l : null;

    public bool? Boolean(string key) => values.TryGetValue(key, out var v) ? (bool)v : null;

    public TimeSpan? Duration(string key) => values.TryGetValue(key, out var v) ? (TimeSpan)v : null;

    public IReadOnlyList<string> List(string key) => Get<IReadOnlyList<string>>(key) ?? [];

    public ConfigValues? Section(string key) => Get<ConfigValues>(key);

    public IReadOnlyList<ConfigValues> Sections(string key) => Get<IReadOnlyList<ConfigValues>>(key) ?? [];

    public IReadOnlyList<ConfiguredPass> Passes(string key) => Get<IReadOnlyList<ConfiguredPass>>(key) ?? [];

    private T? Get<T>(string key)
        where T : class => values.TryGetValue(key, out var v) ? (T)v : null;
}
