namespace CompressBuild.Engine.Pipeline.Config;

public sealed class ConfigSequence(string file, int line, int column, IReadOnlyList<ConfigNode> items) : ConfigNode(file, line, column)
{
    public IReadOnlyList<ConfigNode> Items { get; } = items;

    public override string Describe() => "a list";
}
