namespace CompressBuild.Engine.Pruning;

/// <summary>A CB4xxx warning about the pruned model; the CLI prints it on stderr and includes it in JSON.</summary>
public sealed record PruneAdvisory(string Code, string Message);
