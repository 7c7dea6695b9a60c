namespace CompressBuild.Engine.Pipeline.Config;

/// <summary>One entry of compress.yaml's <c>models</c>, with absolute paths.</summary>
public sealed record ModelConfig(
    string Name,
    string Path,
    string Output,
    IReadOnlyList<ConfiguredPass> Passes,
    ConfigValues? Evaluation,
    ConfigValues? Budgets,
    ConfigValues? Search,
    ConfigValues Source);
