namespace CompressBuild.Engine.Choices;

/// <summary>
/// One value a setting may take (a quantization mode, a pruning method): the name users write in compress.yaml,
/// on the command line and in MSBuild metadata, and what it does. Registries of these are the only place a
/// name is spelled out; the CLI, the config schema, the search and the messages read them.
/// </summary>
public interface INamedChoice
{
    string Name { get; }

    string Description { get; }
}
