namespace CompressBuild.Engine.Pipeline.Config;

/// <summary>A node of a parsed compress.yaml, with the position every error about it points at.</summary>
public abstract class ConfigNode(string file, int line, int column)
{
    public string File { get; } = file;

    public int Line { get; } = line;

    public int Column { get; } = column;

    /// <summary>What the node is, for messages: "a mapping", "a list", "'abc'".</summary>
    public abstract string Describe();
}
