namespace CompressBuild.Tool.Commands;

internal sealed record BenchInput(string Name, string Type, IReadOnlyList<long> Shape);
