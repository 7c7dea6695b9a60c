using CompressBuild.Engine.Pruning;

namespace CompressBuild.Tool.Commands;

/// <param name="Data">Optional test inputs: original and pruned are compared on them (accuracy with <paramref name="Labels"/>).</param>
internal sealed record PruneOptions(string Model, string Output, PruneSettings Settings, string? Data, string? Labels, bool Json);
