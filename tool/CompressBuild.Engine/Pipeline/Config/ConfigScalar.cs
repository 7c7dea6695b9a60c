namespace CompressBuild.Engine.Pipeline.Config;

/// <summary>A scalar as written. Quoted scalars are always strings; plain ones may be numbers, booleans or null.</summary>
public sealed class ConfigScalar(string file, int line, int column, string value, bool quoted) : ConfigNode(file, line, column)
{
    public string Value { get; } = value;

    public bool Quoted { get; } = quoted;

    public bool IsNull => !Quoted && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Describe() => IsNull ? "null" : $"'{Value}'";
}
