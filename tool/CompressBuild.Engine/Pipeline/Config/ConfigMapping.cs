namespace CompressBuild.Engine.Pipeline.Config;

/// <summary>A mapping in file order; keys are unique (the parser refuses duplicates).</summary>
public sealed class ConfigMapping(string file, int line, int column, IReadOnlyList<KeyValuePair<ConfigScalar, ConfigNode>> entries) : ConfigNode(file, line, column)
{
    public IReadOnlyList<KeyValuePair<ConfigScalar, ConfigNode>> Entries { get; } = entries;

    public ConfigNode? this[string key] => Entries.FirstOrDefault(e => e.Key.Value == key).Value;

    public override string Describe() => "a mapping";
}
